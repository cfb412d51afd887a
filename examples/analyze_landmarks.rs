//! Runs the analysis over a landmark JSONL file (formcheck's `--landmarks` output or MediaPipe's
//! reference files) and prints the reps: `cargo run --example analyze_landmarks -- FILE [EXERCISE]`.

use std::process::ExitCode;

use formcheck::analysis::analyze_frames;
use formcheck::exercise;
use formcheck::judge::Thresholds;
use formcheck::landmarks::read_jsonl;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: analyze_landmarks FILE.jsonl [EXERCISE]");
        return ExitCode::from(2);
    };
    let name = args.next().unwrap_or_else(|| "squat".into());
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let file = read_jsonl(std::path::Path::new(&path))?;
        let a = analyze_frames(
            &file.frames,
            exercise::find(&name)?,
            None,
            Thresholds::default(),
        );
        println!(
            "{}: {} complete, {} incomplete, {} not counted",
            path,
            a.summary.complete_reps,
            a.summary.incomplete_reps,
            a.rejected.len()
        );
        for r in a.reps() {
            let fppa: Vec<String> = r
                .peaks
                .iter()
                .map(|p| match p.fppa_deg.get() {
                    Some(v) => format!("{} FPPA {v:.1}°", p.leg),
                    None => format!("{} FPPA not judged", p.leg),
                })
                .collect();
            println!(
                "  rep {} (set {}): {:.2}s → bottom {:.2}s → {:.2}s, complete {}, {}; {} fault(s)",
                r.number,
                r.set,
                r.start.time_s,
                r.bottom.time_s,
                r.end.time_s,
                r.complete,
                fppa.join(", "),
                r.faults().count()
            );
            for f in &r.flags {
                println!("    - {}", f.describe());
            }
        }
        for r in &a.rejected {
            println!(
                "  not counted {:.2}–{:.2}s: {}",
                r.start.time_s, r.end.time_s, r.reason
            );
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("analyze_landmarks: {e}");
            ExitCode::from(2)
        }
    }
}
