//! A test whose prerequisite (a tool, ../shared) is missing. Under `CI=true` that is a failure:
//! `.ci/run` installs everything. Elsewhere the test passes, but says so in a line written
//! straight to the process's stderr, which cargo's output capture does not swallow.

use std::io::Write;
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;

pub fn missing(what: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: prerequisite missing under CI=true: {what}");
    }
    // SAFETY: fd 2 is the process's stderr, open for its whole life; ManuallyDrop never closes it.
    let mut stderr = ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(2) });
    let _ = writeln!(stderr, "SKIPPED {test}: {what}");
}
