//! The ALSA sequencer on the control side: listing and resolving ports
//! ([`ports`]), the client `host play --port` sends from ([`client`]), and
//! the resets it sends external synths ([`reset`]).
//!
//! *Real-time*: not real-time. Nothing here runs on the audio thread; the
//! paced output thread (`play::seq_output`) only writes events through the
//! [`client::SeqClient`] opened here.

pub mod client;
pub mod ports;
pub mod reset;
