//! The highgui window and its keys. The only live file that talks to the GUI toolkit.

use opencv::core::Mat;
use opencv::highgui;
use opencv::prelude::*;

#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("cannot open a window ({0}); on a machine without a display use --no-window")]
    Open(String),
    #[error("showing the frame failed: {0}")]
    Show(String),
}

/// What a key press asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Quit,
    Pause,
    /// `r`: resets the set (one exercise) or repeats the exercise (a programme).
    ResetSet,
    Snapshot,
    /// `n`: a programme's next exercise, this one skipped.
    Skip,
    /// `e`: a programme's next exercise, this one ended where it stands.
    EndExercise,
}

impl Key {
    /// q or Esc quits, space pauses, r resets the set, s saves a snapshot, n skips, e ends the exercise.
    pub fn from_code(code: i32) -> Option<Key> {
        if code < 0 {
            return None;
        }
        match code & 0xFF {
            27 => Some(Key::Quit),
            k if k == i32::from(b'q') || k == i32::from(b'Q') => Some(Key::Quit),
            k if k == i32::from(b' ') => Some(Key::Pause),
            k if k == i32::from(b'r') || k == i32::from(b'R') => Some(Key::ResetSet),
            k if k == i32::from(b's') || k == i32::from(b'S') => Some(Key::Snapshot),
            k if k == i32::from(b'n') || k == i32::from(b'N') => Some(Key::Skip),
            k if k == i32::from(b'e') || k == i32::from(b'E') => Some(Key::EndExercise),
            _ => None,
        }
    }
}

/// The largest window formcheck opens; a portrait phone video is scaled down to fit a laptop screen.
const MAX_WIDTH: i32 = 1200;
const MAX_HEIGHT: i32 = 900;

/// Whether a display looks reachable: `WAYLAND_DISPLAY` is trusted; a local X display (`:N`)
/// must have its socket; a remote one (`host:N`) is left to the toolkit.
pub fn check_display() -> Result<(), WindowError> {
    if std::env::var_os("WAYLAND_DISPLAY").is_some() {
        return Ok(());
    }
    let display =
        std::env::var("DISPLAY").map_err(|_| WindowError::Open("no DISPLAY is set".to_string()))?;
    if let Some(number) = display.strip_prefix(':') {
        let number = number.split('.').next().unwrap_or(number);
        let socket = format!("/tmp/.X11-unix/X{number}");
        if !std::path::Path::new(&socket).exists() {
            return Err(WindowError::Open(format!(
                "no X server at DISPLAY={display}"
            )));
        }
    }
    Ok(())
}

pub struct Window {
    name: String,
    /// The size of the frames shown (the window was sized for the first).
    frame_size: Option<(i32, i32)>,
}

impl Window {
    pub fn open(title: &str) -> Result<Window, WindowError> {
        // Qt aborts the process when it cannot reach a display instead of returning an error:
        // check first.
        check_display()?;
        let flags = highgui::WINDOW_NORMAL | highgui::WINDOW_KEEPRATIO | highgui::WINDOW_GUI_NORMAL;
        highgui::named_window(title, flags).map_err(|e| WindowError::Open(e.message))?;
        Ok(Window {
            name: title.to_string(),
            frame_size: None,
        })
    }

    /// Shows the frame and waits about a millisecond for a key (highgui only draws while it waits).
    pub fn show(&mut self, image: &Mat) -> Result<Option<Key>, WindowError> {
        let show_err = |e: opencv::Error| WindowError::Show(e.message);
        if self.frame_size.is_none() {
            let (w, h) = (image.cols().max(1), image.rows().max(1));
            let scale = (MAX_WIDTH as f64 / w as f64)
                .min(MAX_HEIGHT as f64 / h as f64)
                .min(1.0);
            let (ww, wh) = ((w as f64 * scale) as i32, (h as f64 * scale) as i32);
            highgui::resize_window(&self.name, ww, wh).map_err(show_err)?;
            self.frame_size = Some((w, h));
        }
        highgui::imshow(&self.name, image).map_err(show_err)?;
        let code = highgui::wait_key(1).map_err(show_err)?;
        Ok(Key::from_code(code))
    }

    /// Waits for a key without a new frame (while paused).
    pub fn wait(&self, ms: i32) -> Result<Option<Key>, WindowError> {
        let code = highgui::wait_key(ms).map_err(|e| WindowError::Show(e.message))?;
        Ok(Key::from_code(code))
    }

    /// Waits for any key, as its byte (for y/n answers).
    pub fn wait_raw(&self, ms: i32) -> Result<Option<u8>, WindowError> {
        let code = highgui::wait_key(ms).map_err(|e| WindowError::Show(e.message))?;
        Ok((code >= 0).then_some((code & 0xFF) as u8))
    }

    /// A page of text in place of the video (the end of a guided session).
    pub fn show_notice(&mut self, lines: &[&str]) -> Result<(), WindowError> {
        let (w, h) = self.frame_size.unwrap_or((1000, 640));
        let page =
            crate::draw::notice(lines, w, h).map_err(|e| WindowError::Show(e.to_string()))?;
        self.show(&page).map(|_| ())
    }

    /// False once the user has closed the window with its close button.
    pub fn is_open(&self) -> bool {
        highgui::get_window_property(&self.name, highgui::WND_PROP_VISIBLE)
            .map(|v| v >= 1.0)
            .unwrap_or(false)
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = highgui::destroy_window(&self.name);
        // Let the toolkit process the close before the process moves on.
        let _ = highgui::wait_key(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(Key::from_code(27), Some(Key::Quit));
        assert_eq!(Key::from_code(i32::from(b'q')), Some(Key::Quit));
        assert_eq!(Key::from_code(i32::from(b' ')), Some(Key::Pause));
        assert_eq!(Key::from_code(i32::from(b'r')), Some(Key::ResetSet));
        assert_eq!(Key::from_code(i32::from(b's')), Some(Key::Snapshot));
        // Qt reports modifiers in the high bits.
        assert_eq!(Key::from_code(0x10_0000 | 27), Some(Key::Quit));
        assert_eq!(Key::from_code(-1), None);
        assert_eq!(Key::from_code(i32::from(b'x')), None);
    }
}
