//! Where `host render` writes its WAV: a file (sizes patched at the end) or
//! standard output (sizes declared up front).
//!
//! # Sizes
//!
//! A file is started with `0xFFFF_FFFF` size placeholders and patched by
//! `finish_seekable` once everything is written. Standard output cannot
//! seek back, so its header declares the final length up front
//! (`new_with_length`); the caller knows it from a scan of the song (see
//! `render`), and pads with silence or stops to meet it exactly.
//!
//! # Errors and partial files
//!
//! Any write error (disk full, permission lost) is one line with exit
//! code 6; a reader that stops reading (`-o - | head -c 1000`) ends the
//! render quietly, exit 0. A partly written *file* is removed: a WAV that stops
//! early would look like a complete, shorter song. On standard output what
//! was written stays written.
//!
//! *Real-time*: not real-time (file I/O); used by the render loop only.

use std::fs::File;
use std::io::{BufWriter, Stdout};
use std::path::{Path, PathBuf};

use embedded_io_adapters::std::FromStd;
use smfplay_core::wav::{WavError, WavSpec, WavWriter};

use crate::exit::{HostError, Kind, describe_io};

/// Output buffer size.
const BUFFER: usize = 256 * 1024;

enum Sink {
    /// The path is `Some` for a regular file we created (removed on
    /// failure); `None` for anything else (a device such as /dev/null).
    File(WavWriter<FromStd<BufWriter<File>>>, Option<PathBuf>),
    Stdout(WavWriter<FromStd<BufWriter<Stdout>>>),
}

/// A WAV being written.
pub struct WavOutput {
    sink: Option<Sink>,
    name: String,
}

fn wav_error(name: &str, e: WavError<std::io::Error>) -> HostError {
    let message = match e {
        // `host render x.mid -o - | head -c 1000`: not an error.
        WavError::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe => {
            return crate::exit::stdout_error(&io);
        }
        WavError::Io(io) => format!("cannot write: {}", describe_io(&io)),
        WavError::TooLarge => "the WAV would be larger than 4 GiB (the format's limit); \
             render a shorter part (--start/--end) or a lower --rate"
            .into(),
        other => format!("cannot write the WAV: {other}"),
    };
    HostError::new(Kind::Output, name, message)
}

impl WavOutput {
    /// Creates the output. `-` is standard output, whose header declares
    /// `frames` frames.
    pub fn create(path: &Path, spec: WavSpec, frames: u64) -> Result<Self, HostError> {
        if path.as_os_str() == "-" {
            let name = "standard output".to_string();
            let out = FromStd::new(BufWriter::with_capacity(BUFFER, std::io::stdout()));
            let wav =
                WavWriter::new_with_length(out, spec, frames).map_err(|e| wav_error(&name, e))?;
            return Ok(Self {
                sink: Some(Sink::Stdout(wav)),
                name,
            });
        }
        let name = path.display().to_string();
        if path.is_dir() {
            return Err(HostError::new(
                Kind::Output,
                name,
                "is a directory; give a file name",
            ));
        }
        let existed_as_other = path.exists() && !path.is_file();
        let file = File::create(path).map_err(|e| {
            HostError::new(
                Kind::Output,
                &name,
                format!("cannot create: {}", describe_io(&e)),
            )
        })?;
        let regular = !existed_as_other && file.metadata().is_ok_and(|m| m.is_file());
        let owned = regular.then(|| path.to_path_buf());
        let out = FromStd::new(BufWriter::with_capacity(BUFFER, file));
        let mut me = Self {
            sink: None,
            name: name.clone(),
        };
        match WavWriter::new(out, spec) {
            Ok(wav) => me.sink = Some(Sink::File(wav, owned)),
            Err(e) => {
                remove(owned.as_deref());
                return Err(wav_error(&name, e));
            }
        }
        Ok(me)
    }

    /// Whether the header declared the length up front.
    pub fn is_stream(&self) -> bool {
        matches!(self.sink, Some(Sink::Stdout(_)))
    }

    /// Appends interleaved 16-bit frames.
    pub fn write_i16(&mut self, samples: &[i16]) -> Result<(), HostError> {
        let r = match &mut self.sink {
            Some(Sink::File(w, _)) => w.write_frames_i16(samples),
            Some(Sink::Stdout(w)) => w.write_frames_i16(samples),
            None => Ok(()),
        };
        r.map_err(|e| self.fail(e))
    }

    /// Appends interleaved float frames.
    pub fn write_f32(&mut self, samples: &[f32]) -> Result<(), HostError> {
        let r = match &mut self.sink {
            Some(Sink::File(w, _)) => w.write_frames_f32(samples),
            Some(Sink::Stdout(w)) => w.write_frames_f32(samples),
            None => Ok(()),
        };
        r.map_err(|e| self.fail(e))
    }

    /// Finishes the file (patching its sizes) and closes it.
    pub fn finish(mut self) -> Result<(), HostError> {
        let r = match self.sink.take() {
            Some(Sink::File(w, path)) => {
                let r = w.finish_seekable().and_then(|(out, _)| {
                    out.into_inner()
                        .into_inner()
                        .map_err(|e| WavError::Io(e.into_error()))
                });
                match r {
                    Ok(_file) => Ok(()),
                    Err(e) => {
                        remove(path.as_deref());
                        Err(e)
                    }
                }
            }
            Some(Sink::Stdout(w)) => w
                .finish()
                .and_then(|(out, _)| {
                    out.into_inner()
                        .into_inner()
                        .map_err(|e| WavError::Io(e.into_error()))
                })
                .map(|_| ()),
            None => Ok(()),
        };
        r.map_err(|e| wav_error(&self.name, e))
    }

    /// Reports a write error and removes a partial file.
    fn fail(&mut self, e: WavError<std::io::Error>) -> HostError {
        if let Some(Sink::File(w, path)) = self.sink.take() {
            drop(w.into_inner());
            remove(path.as_deref());
        }
        wav_error(&self.name, e)
    }
}

impl Drop for WavOutput {
    fn drop(&mut self) {
        // Not finished (an error elsewhere): do not leave a partial file.
        if let Some(Sink::File(w, path)) = self.sink.take() {
            drop(w.into_inner());
            remove(path.as_deref());
        }
    }
}

/// Removes a partial regular file we created.
fn remove(path: Option<&Path>) {
    if let Some(p) = path {
        let _ = std::fs::remove_file(p);
    }
}
