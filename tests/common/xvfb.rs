//! A private X server for the window tests.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A display number of our own (`base` plus a bit of the process id), so window tests in
/// different binaries, parallel runs and a developer's :99 do not collide.
pub fn start_xvfb_at(base: u32) -> Option<Xvfb> {
    let number = base + (std::process::id() % 30);
    let child = Command::new("Xvfb")
        .arg(format!(":{number}"))
        .args(["-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
    let until = Instant::now() + Duration::from_secs(10);
    while !socket.exists() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Xvfb {
        child,
        display: format!(":{number}"),
    })
}

impl Xvfb {
    /// xdotool on this display.
    pub fn xdotool(&self, args: &[&str]) -> Output {
        Command::new("xdotool")
            .env("DISPLAY", &self.display)
            .args(args)
            .output()
            .unwrap()
    }

    /// The id of the visible window called `name`, once it is there (40 s at most: under a
    /// full test run's load the model and the first frame took over 20 s once).
    pub fn wait_for_window(&self, name: &str) -> String {
        let until = Instant::now() + Duration::from_secs(40);
        loop {
            let found = self.xdotool(&["search", "--onlyvisible", "--name", name]);
            if let Some(id) = String::from_utf8_lossy(&found.stdout).lines().next() {
                return id.to_string();
            }
            assert!(Instant::now() < until, "the window did not appear");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
