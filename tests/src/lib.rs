//! Shared helpers of smfplay's tests: fixture generators, reference models
//! and access to the real-world corpus.

pub mod corpus;
pub mod our_reader;
