//! The real-time side of `host play`: the audio thread's engine and
//! output, the feeder thread that keeps its queue filled, and the
//! lock-free queues between them and the control thread.

pub(crate) mod alsa_output;
pub(crate) mod device_holders;
pub(crate) mod engine;
pub(crate) mod feeder;
pub(crate) mod queues;
pub(crate) mod scheduling;
#[cfg(test)]
mod tests;
