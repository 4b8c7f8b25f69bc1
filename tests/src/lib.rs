//! Shared helpers of smfplay's tests: fixture generators and reference models.
