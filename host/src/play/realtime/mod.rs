//! The real-time side of `host play`: the audio thread (its engine, the
//! messages and snapshot it exchanges, conversion and output, load
//! shedding), the feeder thread that keeps its queue filled, and the
//! lock-free queues and play status between them and the control thread.
//!
//! *Real-time*: each file says which thread runs it; nothing here runs on
//! the control thread except set-up before the threads start.

pub(crate) mod alsa_output;
pub(crate) mod any_feed;
pub(crate) mod audio_thread;
pub(crate) mod device_holders;
pub(crate) mod engine;
pub(crate) mod feeder;
pub(crate) mod messages;
pub(crate) mod output_buffer;
pub(crate) mod play_status;
pub(crate) mod queue_sink;
pub(crate) mod queues;
pub(crate) mod report_observer;
pub(crate) mod scheduling;
pub(crate) mod seq_output;
pub(crate) mod seq_pacer;
pub(crate) mod shedder;
pub(crate) mod snapshot;
pub(crate) mod synth_control;
#[cfg(test)]
mod tests;
pub(crate) mod thread_stats;
pub(crate) mod work_clock;
