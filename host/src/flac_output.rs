//! Where `host render -f flac` writes its FLAC: a file (the STREAMINFO
//! block patched at the end with the length, frame sizes and MD5) or
//! standard output (the length declared up front, MD5 left unset, as the
//! format allows for a stream).
//!
//! Samples are encoded with the pure-Rust `flacenc` crate, one block of
//! [`BLOCK`] frames at a time, so memory does not grow with the song.
//! 16-bit samples are the WAV's 16-bit samples exactly (the same
//! conversion); 24-bit ones are `round(x · 2²³)`, saturated.
//!
//! Errors and partial files follow [`crate::wav_output`]: a write error is
//! one line (exit 6) and removes a partly written file.
//!
//! *Real-time*: not real-time (file I/O and encoding); used by the render
//! loop only.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flacenc::bitsink::ByteSink;
use flacenc::component::{BitRepr, Stream, StreamInfo};
use flacenc::error::Verify;
use flacenc::source::{Context, Fill, FrameBuf};

use crate::exit::{HostError, Kind, describe_io};
use crate::wav_output::{create_file, remove};

/// Frames per FLAC block (the reference encoder's default).
pub const BLOCK: usize = 4096;
/// Output buffer size.
const BUFFER: usize = 256 * 1024;

enum Sink {
    /// The path is `Some` for a regular file we created (removed on failure).
    File(BufWriter<File>, Option<PathBuf>),
    Stdout(BufWriter<std::io::Stdout>),
}

impl Sink {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::File(w, _) => w,
            Sink::Stdout(w) => w,
        }
    }
}

/// A FLAC stream being written (stereo).
pub struct FlacOutput {
    sink: Option<Sink>,
    name: String,
    config: flacenc::error::Verified<flacenc::config::Encoder>,
    info: StreamInfo,
    context: Context,
    block: FrameBuf,
    /// Interleaved samples of the block being filled.
    pending: Vec<i32>,
    bytes: ByteSink,
    /// Frames declared up front (a stream): the total must match.
    declared: Option<u64>,
}

fn encode_error(name: &str, what: impl std::fmt::Display) -> HostError {
    HostError::new(
        Kind::Output,
        name,
        format!("cannot encode the FLAC: {what}"),
    )
}

impl FlacOutput {
    /// Creates the output: `-` is standard output, whose header declares
    /// `frames` frames.
    pub fn create(path: &Path, rate: u32, bits: u8, frames: u64) -> Result<Self, HostError> {
        let stream = path.as_os_str() == "-";
        let name = if stream {
            "standard output".to_string()
        } else {
            path.display().to_string()
        };
        let config = flacenc::config::Encoder::default()
            .into_verified()
            .map_err(|(_, e)| encode_error(&name, e))?;
        let mut info = StreamInfo::new(rate as usize, 2, usize::from(bits))
            .map_err(|e| encode_error(&name, e))?;
        info.set_block_sizes(BLOCK, BLOCK)
            .map_err(|e| encode_error(&name, e))?;
        let sink = if stream {
            info.set_total_samples(frames as usize);
            Sink::Stdout(BufWriter::with_capacity(BUFFER, std::io::stdout()))
        } else {
            let (file, owned) = create_file(path)?;
            Sink::File(BufWriter::with_capacity(BUFFER, file), owned)
        };
        let mut me = Self {
            sink: Some(sink),
            name: name.clone(),
            config,
            info,
            context: Context::new(usize::from(bits), 2),
            block: FrameBuf::with_size(2, BLOCK).map_err(|e| encode_error(&name, e))?,
            pending: Vec::with_capacity(2 * BLOCK),
            bytes: ByteSink::new(),
            declared: stream.then_some(frames),
        };
        let header = me.header()?;
        me.put(&header)?;
        Ok(me)
    }

    /// Whether the header declared the length up front.
    pub fn is_stream(&self) -> bool {
        self.declared.is_some()
    }

    /// `fLaC` and the STREAMINFO block as they stand (always 42 bytes).
    fn header(&self) -> Result<Vec<u8>, HostError> {
        let mut info = self.info.clone();
        if info.min_frame_size() > info.max_frame_size() {
            // No frame yet (or a stream): frame sizes "unknown".
            let _ = info.set_frame_sizes(0, 0);
        }
        let stream = Stream::with_stream_info(info);
        let mut sink = ByteSink::new();
        stream
            .write(&mut sink)
            .map_err(|e| encode_error(&self.name, e))?;
        Ok(sink.into_inner())
    }

    /// Appends interleaved stereo samples (already at the stream's bit depth).
    pub fn write(&mut self, mut samples: &[i32]) -> Result<(), HostError> {
        while !samples.is_empty() {
            let room = 2 * BLOCK - self.pending.len();
            let take = room.min(samples.len());
            self.pending.extend_from_slice(&samples[..take]);
            samples = &samples[take..];
            if self.pending.len() == 2 * BLOCK {
                self.flush_block()?;
            }
        }
        Ok(())
    }

    /// Encodes the pending samples as one FLAC frame and writes it.
    fn flush_block(&mut self) -> Result<(), HostError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        (&mut self.block, &mut self.context)
            .fill_interleaved(&self.pending)
            .map_err(|e| encode_error(&self.name, e))?;
        self.pending.clear();
        let number = self.context.current_frame_number().unwrap_or(0);
        let frame = flacenc::encode_fixed_size_frame(&self.config, &self.block, number, &self.info)
            .map_err(|e| encode_error(&self.name, e))?;
        let total = self.info.total_samples();
        self.info.update_frame_info(&frame);
        if self.declared.is_some() {
            // The declared length stays in the header's copy.
            self.info.set_total_samples(total);
        }
        self.bytes.clear();
        frame
            .write(&mut self.bytes)
            .map_err(|e| encode_error(&self.name, e))?;
        let bytes = std::mem::take(&mut self.bytes);
        let r = self.put(bytes.as_slice());
        self.bytes = bytes;
        r
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), HostError> {
        let r = match &mut self.sink {
            Some(s) => s.writer().write_all(bytes),
            None => Ok(()),
        };
        r.map_err(|e| self.fail(&e))
    }

    /// Writes the last block, patches the file's STREAMINFO, closes it.
    pub fn finish(mut self) -> Result<(), HostError> {
        self.flush_block()?;
        if let Some(declared) = self.declared
            && declared != self.context.total_samples() as u64
        {
            return Err(encode_error(
                &self.name,
                format!(
                    "{} frames written, {declared} declared",
                    self.context.total_samples()
                ),
            ));
        }
        let header = {
            let md5 = self.context.md5_digest();
            if self.declared.is_none() {
                self.info.set_md5_digest(&md5);
                self.info.set_total_samples(self.context.total_samples());
            }
            self.header()?
        };
        let r = match self.sink.take() {
            Some(Sink::File(mut w, path)) => {
                let r = w
                    .seek(SeekFrom::Start(0))
                    .and_then(|_| w.write_all(&header))
                    .and_then(|_| w.flush());
                if r.is_err() {
                    remove(path.as_deref());
                }
                r
            }
            Some(Sink::Stdout(mut w)) => w.flush(),
            None => Ok(()),
        };
        r.map_err(|e| {
            HostError::new(
                Kind::Output,
                &self.name,
                format!("cannot write: {}", describe_io(&e)),
            )
        })
    }

    /// Reports a write error and removes a partial file.
    fn fail(&mut self, e: &std::io::Error) -> HostError {
        if let Some(Sink::File(w, path)) = self.sink.take() {
            drop(w.into_parts());
            remove(path.as_deref());
        }
        HostError::new(
            Kind::Output,
            &self.name,
            format!("cannot write: {}", describe_io(e)),
        )
    }
}

impl Drop for FlacOutput {
    fn drop(&mut self) {
        // Not finished (an error elsewhere): do not leave a partial file.
        if let Some(Sink::File(w, path)) = self.sink.take() {
            drop(w.into_parts());
            remove(path.as_deref());
        }
    }
}
