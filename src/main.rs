//! The entry point: parse, validate, dispatch, print one error line, exit with a code.

use std::process::ExitCode;

use clap::Parser;
use formcheck::cli::Cli;
use formcheck::config::Config;

/// Exit codes: 0 all good, 1 some inputs failed (batch), 2 an error stopped the run.
const EXIT_ERROR: u8 = 2;

fn run() -> anyhow::Result<ExitCode> {
    formcheck::prepare_process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            // clap quotes the argument it refused: shown, never obeyed, by the terminal.
            let text = e.render().to_string();
            for line in text.trim_end().lines() {
                eprintln!("{}", formcheck::terminal::escape_controls(line));
            }
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let config = Config::try_from(cli)?;
    if matches!(
        config,
        Config::History(_) | Config::Index(_) | Config::Programme(_) | Config::Exercises
    ) {
        formcheck::end_quietly_when_the_reader_goes();
    }
    match config {
        Config::Bench(bench) if bench.live => {
            formcheck::live::bench::bench_live(&bench)?;
            Ok(ExitCode::SUCCESS)
        }
        Config::Live(live) => {
            // However the session ended (a key, a signal, the stream ending), its log is complete;
            // a signal still shows in the exit code (130, 143, 129).
            let outcome = formcheck::live::run(live)?;
            Ok(ExitCode::from(outcome.end.exit_code()))
        }
        Config::Bench(bench) => {
            formcheck::bench::run(&bench)?;
            Ok(ExitCode::SUCCESS)
        }
        Config::Analyze(analyze) => Ok(formcheck::batch::analyze(&analyze)?),
        Config::Index(index) => Ok(formcheck::batch::index(&index)?),
        Config::Programme(file) => {
            let programme = match &file {
                Some(path) => formcheck::programme::Programme::load(path)?,
                None => formcheck::programme::Programme::default_programme(),
            };
            print!("{}", programme.describe());
            if file.is_none() {
                println!(
                    "\nAs a file for --programme:\n\n{}",
                    formcheck::programme::DEFAULT_TOML
                );
            }
            println!(
                "{} {}",
                formcheck::output::report::NOT_A_DIAGNOSIS,
                formcheck::output::report::PRECAUTIONS
            );
            Ok(ExitCode::SUCCESS)
        }
        Config::History(history) => {
            formcheck::history::run_command(&history)?;
            Ok(ExitCode::SUCCESS)
        }
        Config::Triangulate(t) => {
            formcheck::multiview::run(&t)?;
            Ok(ExitCode::SUCCESS)
        }
        Config::Exercises => {
            print!("{}", formcheck::exercise::describe_all());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("formcheck: {}", formcheck::one_line(err.as_ref()));
            ExitCode::from(EXIT_ERROR)
        }
    }
}
