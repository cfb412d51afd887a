//! Replays every fuzz target's corpus (fuzz/corpus/<target>/: the seeds, and every input a fuzz
//! run found failing, kept as a regression) through the same entry points the fuzzers call, on
//! every test run: a parser that panics on any of them fails here, without a fuzzing build.

use std::path::Path;

#[test]
fn every_fuzz_corpus_input_is_handled_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (target, run) in formcheck::fuzzing::TARGETS {
        let dir = root.join(target);
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        assert!(
            !inputs.is_empty(),
            "{target} has no seed in {}",
            dir.display()
        );
        for input in inputs {
            let bytes = std::fs::read(&input).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{target} panics on {}", input.display());
        }
    }
}

#[test]
fn every_fuzz_target_has_a_binary_and_the_run_script_lists_it() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let script = std::fs::read_to_string(fuzz.join("run")).unwrap();
    for (target, _) in formcheck::fuzzing::TARGETS {
        assert!(
            fuzz.join(format!("fuzz_targets/{target}.rs")).is_file(),
            "{target}"
        );
        assert!(script.contains(target), "fuzz/run does not run {target}");
    }
}
