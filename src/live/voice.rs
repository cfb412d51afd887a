//! Live view, spoken: a short tone for each rep, the rep count, a fault the moment it is seen,
//! and prompts, through eSpeak NG (Debian's `espeak-ng`; its program, which is simpler to keep
//! apart from the frame loop and to test than its library). Speech runs on a thread of its own
//! behind a short queue: the frame loop only ever tries to post, so speech never holds it up,
//! and what cannot be said in time is dropped rather than piled up.
//!
//! `--voice-log FILE.wav` keeps everything that was said (and the tones), one after another, so
//! a test or a clinician can hear it back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Rep counts and faults are dropped once this many utterances wait (formcheck rule: a rep lasts
/// 2–3 s, so anything three utterances behind is about a rep already gone).
const BACKLOG: usize = 3;
/// Prompts (the programme's set-up, rest, set summaries) wait in a longer queue: they are what a
/// person on the floor cannot read, and come a few at a time at the turns of the programme.
const QUEUE: usize = 16;
/// A fault is said at most this often (formcheck rule: about one rep), so the same cue on every
/// rep of a bad set does not run into the next.
pub const FAULT_COOLDOWN: Duration = Duration::from_secs(3);
/// The rep tone: pitch, length (a click the ear catches without it talking over speech).
const TONE_HZ: f64 = 880.0;
const TONE_S: f64 = 0.08;
/// espeak-ng's voice: words a minute (its default is 175; slower carries across a room).
const WORDS_PER_MINUTE: &str = "160";

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("--voice: espeak-ng cannot be run ({0}); install it (apt-get install espeak-ng) or leave out --voice")]
    NoSpeech(std::io::Error),
    #[error("--voice: espeak-ng gave no speech: {0}")]
    BadSpeech(String),
    #[error("--voice-log {}: {source}", path.display())]
    Log {
        path: PathBuf,
        source: crate::output::ExportError,
    },
}

enum Say {
    Tone,
    Words(String),
}

/// Mono 16-bit PCM at one rate: what espeak-ng gives, and what the log holds.
#[derive(Debug, Default, Clone)]
struct Pcm {
    rate: u32,
    samples: Vec<i16>,
}

/// The samples of a WAV from espeak-ng (mono, 16-bit). espeak-ng writing to a pipe cannot seek
/// back to fill in the sizes, so the data runs to the end, whatever the header says.
fn parse_wav(bytes: &[u8]) -> Result<Pcm, String> {
    let u16_at = |i: usize| {
        bytes
            .get(i..i + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |i: usize| {
        bytes
            .get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err("not a WAV".into());
    }
    let mut at = 12;
    let (mut rate, mut format_ok) = (0, false);
    while let (Some(id), Some(size)) = (bytes.get(at..at + 4), u32_at(at + 4)) {
        let body = at + 8;
        match id {
            b"fmt " => {
                rate = u32_at(body + 4).unwrap_or(0);
                format_ok = u16_at(body) == Some(1)
                    && u16_at(body + 2) == Some(1)
                    && u16_at(body + 14) == Some(16);
            }
            b"data" => {
                if !format_ok || rate == 0 {
                    return Err("not mono 16-bit PCM".into());
                }
                let samples = bytes[body..]
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]))
                    .collect();
                return Ok(Pcm { rate, samples });
            }
            _ => {}
        }
        at = body + size as usize + (size as usize & 1);
    }
    Err("no data".into())
}

fn wav_bytes(pcm: &Pcm) -> Vec<u8> {
    let data = (pcm.samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&pcm.rate.to_le_bytes());
    out.extend_from_slice(&(pcm.rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data.to_le_bytes());
    for s in &pcm.samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

fn speak(words: &str) -> Result<Pcm, VoiceError> {
    let out = Command::new("espeak-ng")
        .args(["--stdout", "-s", WORDS_PER_MINUTE, "--", words])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(VoiceError::NoSpeech)?;
    parse_wav(&out.stdout).map_err(VoiceError::BadSpeech)
}

fn tone(rate: u32) -> Vec<i16> {
    let n = (f64::from(rate) * TONE_S) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            // A raised-cosine envelope: no click at either end.
            let envelope = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos();
            (envelope
                * 0.4
                * f64::from(i16::MAX)
                * (2.0 * std::f64::consts::PI * TONE_HZ * t).sin()) as i16
        })
        .collect()
}

/// Plays one clip on the default sound device; `false` when there is none (a server, CI).
fn play(pcm: &Pcm) -> bool {
    let child = Command::new("aplay")
        .arg("-q")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    let wrote = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(&wav_bytes(pcm)).is_ok());
    child.wait().is_ok_and(|s| s.success()) && wrote
}

/// What the speech thread did, for the end of the session.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Spoken {
    pub utterances: u32,
    pub dropped: u32,
    /// Whether anything could be played aloud (no sound device: only the log has it).
    pub played: bool,
    pub log_seconds: f64,
}

pub struct Voice {
    tx: Option<SyncSender<Say>>,
    /// Utterances posted and not yet said (queued, or being said now).
    waiting: Arc<AtomicUsize>,
    worker: Option<JoinHandle<Result<Spoken, VoiceError>>>,
    dropped: u32,
    last_fault: Option<Instant>,
    fault_rep: Option<u32>,
}

impl Voice {
    /// Starts the speech thread; fails at once when espeak-ng cannot speak.
    pub fn start(aloud: bool, log: Option<PathBuf>) -> Result<Voice, VoiceError> {
        let probe = speak("ready")?;
        let (tx, rx) = sync_channel(QUEUE);
        let waiting = Arc::new(AtomicUsize::new(0));
        let said = Arc::clone(&waiting);
        let worker = std::thread::Builder::new()
            .name("formcheck-voice".into())
            .spawn(move || speech_thread(rx, said, probe, aloud, log))
            .map_err(VoiceError::NoSpeech)?;
        Ok(Voice {
            tx: Some(tx),
            waiting,
            worker: Some(worker),
            dropped: 0,
            last_fault: None,
            fault_rep: None,
        })
    }

    /// Posts without waiting; `urgent_only` (counts, faults) gives way to a backlog.
    fn post(&mut self, say: Say, urgent_only: bool) {
        if urgent_only && self.waiting.load(Ordering::SeqCst) >= BACKLOG {
            self.dropped += 1;
            return;
        }
        if let Some(tx) = &self.tx {
            self.waiting.fetch_add(1, Ordering::SeqCst);
            match tx.try_send(say) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    self.dropped += 1
                }
            }
        }
    }

    pub fn say(&mut self, words: impl Into<String>) {
        self.post(Say::Words(words.into()), false);
    }

    /// A rep done: the tone, then its count in the set.
    pub fn rep(&mut self, count_in_set: u32) {
        self.post(Say::Tone, true);
        self.post(Say::Words(count_in_set.to_string()), true);
    }

    /// A fault seen at the turning point of rep `rep`: said once for that rep, and not within
    /// [`FAULT_COOLDOWN`] of the last fault said.
    pub fn fault(&mut self, rep: u32, cue: &str, now: Instant) {
        if self.fault_rep == Some(rep) {
            return;
        }
        if self
            .last_fault
            .is_some_and(|t| now.duration_since(t) < FAULT_COOLDOWN)
        {
            return;
        }
        self.fault_rep = Some(rep);
        self.last_fault = Some(now);
        self.post(Say::Words(cue.to_string()), true);
    }

    /// Lets the queue drain (what was posted is said), ends the thread and writes the log.
    pub fn finish(mut self) -> Result<Spoken, VoiceError> {
        drop(self.tx.take());
        let mut spoken = match self.worker.take().map(|w| w.join()) {
            Some(Ok(result)) => result?,
            _ => Spoken::default(),
        };
        spoken.dropped += self.dropped;
        Ok(spoken)
    }
}

fn speech_thread(
    rx: Receiver<Say>,
    waiting: Arc<AtomicUsize>,
    probe: Pcm,
    aloud: bool,
    log_path: Option<PathBuf>,
) -> Result<Spoken, VoiceError> {
    let rate = probe.rate;
    let mut log = Pcm {
        rate,
        samples: Vec::new(),
    };
    let mut spoken = Spoken::default();
    let mut can_play = aloud;
    for say in rx {
        let clip = match say {
            Say::Tone => Some(Pcm {
                rate,
                samples: tone(rate),
            }),
            // A failure mid-session costs that utterance, never the session.
            Say::Words(words) => speak(&words).ok().filter(|clip| clip.rate == rate),
        };
        let Some(clip) = clip else {
            waiting.fetch_sub(1, Ordering::SeqCst);
            continue;
        };
        spoken.utterances += 1;
        if can_play {
            if play(&clip) {
                spoken.played = true;
            } else {
                can_play = false;
            }
        }
        if log_path.is_some() {
            log.samples.extend_from_slice(&clip.samples);
            // A breath between utterances.
            log.samples
                .extend(std::iter::repeat_n(0, (rate / 10) as usize));
        }
        waiting.fetch_sub(1, Ordering::SeqCst);
    }
    if let Some(path) = log_path {
        spoken.log_seconds = log.samples.len() as f64 / f64::from(rate);
        write_log(&path, &log)?;
    }
    Ok(spoken)
}

fn write_log(path: &Path, pcm: &Pcm) -> Result<(), VoiceError> {
    crate::output::atomic::write(path, &wav_bytes(pcm)).map_err(|source| VoiceError::Log {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_wav_reads_to_its_end_whatever_its_header_says() {
        let pcm = Pcm {
            rate: 22_050,
            samples: vec![1, -2, 300, -400],
        };
        let mut bytes = wav_bytes(&pcm);
        // What espeak-ng writes to a pipe: sizes it could not fill in.
        bytes[4..8].copy_from_slice(&0x7fff_f024u32.to_le_bytes());
        bytes[40..44].copy_from_slice(&0x7fff_f000u32.to_le_bytes());
        let back = parse_wav(&bytes).unwrap();
        assert_eq!((back.rate, back.samples), (22_050, vec![1, -2, 300, -400]));
        assert!(parse_wav(b"RIFF....WAVEjunk").is_err());
    }

    #[test]
    fn counts_and_faults_give_way_to_a_backlog_and_prompts_do_not() {
        let (tx, rx) = sync_channel(QUEUE);
        let mut voice = Voice {
            tx: Some(tx),
            waiting: Arc::new(AtomicUsize::new(0)),
            worker: None,
            dropped: 0,
            last_fault: None,
            fault_rep: None,
        };
        // Nobody says anything: the backlog only grows.
        voice.say("exercise 1 of 4");
        voice.rep(1);
        assert_eq!(voice.dropped, 0, "three waiting: the count still went in");
        voice.rep(2);
        voice.fault(3, "push the knee out", Instant::now());
        assert_eq!(
            voice.dropped, 3,
            "the tone, the count and the fault gave way"
        );
        voice.say("set 1: 2 reps, good alignment");
        voice.say("rest 60 seconds");
        assert_eq!(voice.dropped, 3, "prompts wait in line");
        assert_eq!(rx.try_iter().count(), 5);
    }

    #[test]
    fn faults_are_said_once_a_rep_and_not_within_the_cooldown() {
        let mut voice = Voice {
            tx: None,
            waiting: Arc::new(AtomicUsize::new(0)),
            worker: None,
            dropped: 0,
            last_fault: None,
            fault_rep: None,
        };
        let t0 = Instant::now();
        voice.fault(1, "push the knee out", t0);
        assert_eq!(voice.fault_rep, Some(1));
        voice.fault(1, "again", t0 + Duration::from_secs(10));
        assert_eq!(voice.last_fault, Some(t0), "once a rep");
        voice.fault(2, "push the knee out", t0 + Duration::from_secs(1));
        assert_eq!(voice.fault_rep, Some(1), "within the cooldown");
        voice.fault(3, "push the knee out", t0 + FAULT_COOLDOWN);
        assert_eq!(voice.fault_rep, Some(3));
    }
}
