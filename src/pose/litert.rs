//! Running one `.tflite` model with LiteRT, TensorFlow Lite's own runtime (XNNPACK kernels on the
//! CPU), the runtime MediaPipe itself uses. It is loaded at run time from `libLiteRt.so`, which
//! ships in the PyPI wheel `ai-edge-litert` (`.ci/setup` extracts it); when it is absent the pose
//! stage runs the ONNX models through OpenCV DNN instead. This file is the only `unsafe` code in
//! formcheck: a thin, checked wrapper over the few C calls needed (LiteRT 2.3 C API,
//! `litert/c/*.h`), taking and giving plain `f32` slices.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The environment variable naming `libLiteRt.so` (a file path).
pub const LITERT_ENV: &str = "FORMCHECK_LITERT";
/// The library's file name.
pub const LITERT_LIBRARY: &str = "libLiteRt.so";
/// The `ai-edge-litert` release whose C ABI this file is written against.
pub const LITERT_VERSION: &str = "2.3.0";
/// SHA-256 of that release's `libLiteRt.so` (x86_64). LiteRT's C API carries no version to ask,
/// and its signatures change between releases (2.3 added the environment argument to
/// `LiteRtCreateModelFromFile`), so any other build is refused rather than called blindly.
/// `.ci/setup` pins the same digest.
pub const LITERT_SHA256: &str = "eec47eb35e2924b3166015887e652a58edc9af823ae38e02bf83bef2548300bb";

type Status = c_int;
type Handle = *mut c_void;

const STATUS_OK: Status = 0;
const HW_ACCELERATOR_CPU: c_int = 1;
const ELEMENT_TYPE_FLOAT32: c_int = 1;
const LOCK_READ: c_int = 0;
const LOCK_WRITE: c_int = 1;
/// `LiteRtRankedTensorType` is 72 bytes in 2.3 (element type + layout of rank ≤ 8 with
/// strides); it is only ever filled by LiteRT and handed back, so a larger buffer is safe.
const TENSOR_TYPE_BYTES: usize = 256;

/// A `LiteRtRankedTensorType` as LiteRT fills it: element type, then the layout (rank in the low
/// 7 bits of the first word, then up to 8 `int32` dimensions).
#[repr(C, align(8))]
struct RankedTensorType([u8; TENSOR_TYPE_BYTES]);

impl RankedTensorType {
    fn zeroed() -> Self {
        RankedTensorType([0; TENSOR_TYPE_BYTES])
    }
    fn word(&self, at: usize) -> i32 {
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.0[at..at + 4]);
        i32::from_ne_bytes(b)
    }
    fn element_type(&self) -> i32 {
        self.word(0)
    }
    fn dims(&self) -> Vec<usize> {
        let rank = (self.word(4) & 0x7f) as usize;
        (0..rank.min(8))
            .map(|i| self.word(8 + 4 * i).max(0) as usize)
            .collect()
    }
}

/// The C functions formcheck calls, resolved once from the library.
struct Api {
    create_environment: unsafe extern "C" fn(c_int, *const c_void, *mut Handle) -> Status,
    destroy_environment: unsafe extern "C" fn(Handle),
    create_model_from_file: unsafe extern "C" fn(Handle, *const c_char, *mut Handle) -> Status,
    destroy_model: unsafe extern "C" fn(Handle),
    create_options: unsafe extern "C" fn(*mut Handle) -> Status,
    destroy_options: unsafe extern "C" fn(Handle),
    set_accelerators: unsafe extern "C" fn(Handle, c_int) -> Status,
    create_opaque_options: unsafe extern "C" fn(
        *const c_char,
        *mut c_void,
        Option<unsafe extern "C" fn(*mut c_void)>,
        *mut Handle,
    ) -> Status,
    add_opaque_options: unsafe extern "C" fn(Handle, Handle) -> Status,
    create_compiled_model: unsafe extern "C" fn(Handle, Handle, Handle, *mut Handle) -> Status,
    destroy_compiled_model: unsafe extern "C" fn(Handle),
    get_model_signature: unsafe extern "C" fn(Handle, usize, *mut Handle) -> Status,
    num_signature_inputs: unsafe extern "C" fn(Handle, *mut usize) -> Status,
    num_signature_outputs: unsafe extern "C" fn(Handle, *mut usize) -> Status,
    signature_input: unsafe extern "C" fn(Handle, usize, *mut Handle) -> Status,
    signature_output: unsafe extern "C" fn(Handle, usize, *mut Handle) -> Status,
    signature_output_name: unsafe extern "C" fn(Handle, usize, *mut *const c_char) -> Status,
    ranked_tensor_type: unsafe extern "C" fn(Handle, *mut RankedTensorType) -> Status,
    create_managed_buffer:
        unsafe extern "C" fn(Handle, c_int, *const RankedTensorType, usize, *mut Handle) -> Status,
    destroy_buffer: unsafe extern "C" fn(Handle),
    lock_buffer: unsafe extern "C" fn(Handle, *mut *mut c_void, c_int) -> Status,
    unlock_buffer: unsafe extern "C" fn(Handle) -> Status,
    run_compiled_model:
        unsafe extern "C" fn(Handle, usize, usize, *mut Handle, usize, *mut Handle) -> Status,
    /// Keeps the code the pointers above point into mapped.
    _library: libloading::Library,
}

/// `kLiteRtTensorBufferTypeHostMemory`.
const BUFFER_HOST_MEMORY: c_int = 1;

/// Where `libLiteRt.so` is looked for: `$FORMCHECK_LITERT`, then beside the binary and in
/// `litert/` up to three folders above it (which covers `target/release/` → `target/litert/`),
/// then the source tree's `target/litert/`, where `.ci/setup` puts it.
pub fn library_candidates() -> Vec<PathBuf> {
    if let Some(path) = std::env::var_os(LITERT_ENV).filter(|v| !v.is_empty()) {
        return vec![PathBuf::from(path)];
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for ancestor in exe.ancestors().skip(1).take(4) {
            candidates.push(ancestor.join(LITERT_LIBRARY));
            candidates.push(ancestor.join("litert").join(LITERT_LIBRARY));
        }
    }
    candidates.push(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("litert")
            .join(LITERT_LIBRARY),
    );
    candidates
}

/// The first existing candidate, if any.
pub fn locate_library() -> Option<PathBuf> {
    library_candidates().into_iter().find(|p| p.is_file())
}

/// LiteRT writes its log lines (accelerator registration, errors) straight to stderr; while it
/// loads a model, stderr is caught in a temporary file so formcheck's own output stays one line,
/// and LiteRT's last error line can go into formcheck's message instead.
static STDERR_CAPTURE: Mutex<()> = Mutex::new(());

thread_local! {
    /// Set while this thread holds the capture: a model dropped while loading fails (inside the
    /// capture) must not wait for the lock it already holds.
    static CAPTURING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Held while formcheck itself writes a line to stderr (batch progress, which other threads
/// print while one loads a model): such a line then waits the few milliseconds a load takes
/// instead of landing in the capture. Loads are serialised by the same lock.
pub fn hold_stderr() -> Option<std::sync::MutexGuard<'static, ()>> {
    // Inside a capture this thread holds the lock already: there is nothing to wait for.
    (!CAPTURING.with(|c| c.get())).then(|| STDERR_CAPTURE.lock().unwrap_or_else(|e| e.into_inner()))
}

fn with_stderr_captured<T>(f: impl FnOnce() -> T) -> (T, String) {
    if CAPTURING.with(|c| c.get()) {
        return (f(), String::new());
    }
    let _guard = STDERR_CAPTURE.lock().unwrap_or_else(|e| e.into_inner());
    CAPTURING.with(|c| c.set(true));
    struct Release;
    impl Drop for Release {
        fn drop(&mut self) {
            CAPTURING.with(|c| c.set(false));
        }
    }
    let _release = Release;
    let Ok(mut sink) = tempfile::tempfile() else {
        return (f(), String::new());
    };
    use std::os::fd::AsRawFd;
    /// Puts the saved stderr back, also if `f` panics.
    struct Restore(c_int);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: `self.0` is the duplicate of fd 2 made below, owned by this guard.
            unsafe {
                libc::dup2(self.0, 2);
                libc::close(self.0);
            }
        }
    }
    // SAFETY: plain fd juggling on fd 2; the saved copy is restored and closed by `Restore`.
    let saved = unsafe { libc::dup(2) };
    if saved < 0 {
        return (f(), String::new());
    }
    let restore = Restore(saved);
    if unsafe { libc::dup2(sink.as_raw_fd(), 2) } < 0 {
        drop(restore);
        return (f(), String::new());
    }
    let value = f();
    drop(restore);
    let mut text = String::new();
    use std::io::Seek;
    let _ = sink.rewind();
    let _ = sink.read_to_string(&mut text);
    // fd 2 is process-wide: another thread's line (a batch worker's "[1/3] …: FAILED") written
    // while this one loaded a model landed here too. It goes on to the real stderr.
    let others = not_litert_lines(&text);
    if !others.is_empty() {
        eprint!("{others}");
    }
    (value, text)
}

/// The lines of a captured stderr that are not LiteRT's own log lines.
fn not_litert_lines(log: &str) -> String {
    const LITERT_PREFIXES: [&str; 5] = ["INFO:", "WARNING:", "ERROR:", "VERBOSE:", "DEBUG:"];
    log.lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| {
            !LITERT_PREFIXES
                .iter()
                .any(|p| l.trim_start().starts_with(p))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// LiteRT's last "ERROR:" line, without the prefix.
fn last_error_line(log: &str) -> Option<String> {
    log.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("ERROR:"))
        .map(|l| l.trim().to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `message`, followed by LiteRT's own last error line when its log has one.
fn with_logged_error(message: String, log: &str) -> String {
    match last_error_line(log) {
        Some(line) => format!("{message}: {line}"),
        None => message,
    }
}

fn load_api(path: &Path) -> Result<Api, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let digest = sha256_hex(&bytes);
    if digest != LITERT_SHA256 {
        return Err(format!(
            "it is not the LiteRT {LITERT_VERSION} build formcheck is written against (sha256 {})",
            &digest[..16]
        ));
    }
    drop(bytes);
    // SAFETY: loading a shared library runs its initialisers; libLiteRt.so's only register its
    // CPU accelerator. The symbols below are declared with the signatures of LiteRT 2.3's C
    // headers; `.ci/setup` installs exactly that release.
    unsafe {
        let library = libloading::Library::new(path).map_err(|e| e.to_string())?;
        macro_rules! sym {
            ($name:literal) => {
                *library
                    .get(concat!($name, "\0").as_bytes())
                    .map_err(|_| format!("it has no {} (not LiteRT {LITERT_VERSION})", $name))?
            };
        }
        Ok(Api {
            create_environment: sym!("LiteRtCreateEnvironment"),
            destroy_environment: sym!("LiteRtDestroyEnvironment"),
            create_model_from_file: sym!("LiteRtCreateModelFromFile"),
            destroy_model: sym!("LiteRtDestroyModel"),
            create_options: sym!("LiteRtCreateOptions"),
            destroy_options: sym!("LiteRtDestroyOptions"),
            set_accelerators: sym!("LiteRtSetOptionsHardwareAccelerators"),
            create_opaque_options: sym!("LiteRtCreateOpaqueOptions"),
            add_opaque_options: sym!("LiteRtAddOpaqueOptions"),
            create_compiled_model: sym!("LiteRtCreateCompiledModel"),
            destroy_compiled_model: sym!("LiteRtDestroyCompiledModel"),
            get_model_signature: sym!("LiteRtGetModelSignature"),
            num_signature_inputs: sym!("LiteRtGetNumSignatureInputs"),
            num_signature_outputs: sym!("LiteRtGetNumSignatureOutputs"),
            signature_input: sym!("LiteRtGetSignatureInputTensorByIndex"),
            signature_output: sym!("LiteRtGetSignatureOutputTensorByIndex"),
            signature_output_name: sym!("LiteRtGetSignatureOutputName"),
            ranked_tensor_type: sym!("LiteRtGetRankedTensorType"),
            create_managed_buffer: sym!("LiteRtCreateManagedTensorBuffer"),
            destroy_buffer: sym!("LiteRtDestroyTensorBuffer"),
            lock_buffer: sym!("LiteRtLockTensorBuffer"),
            unlock_buffer: sym!("LiteRtUnlockTensorBuffer"),
            run_compiled_model: sym!("LiteRtRunCompiledModel"),
            _library: library,
        })
    }
}

/// The library, loaded once per process (LiteRT registers its accelerators globally).
static API: OnceLock<Result<(PathBuf, Api), String>> = OnceLock::new();

fn api(path: &Path) -> Result<&'static Api, String> {
    let loaded = API.get_or_init(|| {
        let (api, log) = with_stderr_captured(|| load_api(path));
        api.map(|a| (path.to_path_buf(), a))
            .map_err(|e| with_logged_error(e, &log))
    });
    match loaded {
        Ok((loaded_from, api)) if loaded_from == path => Ok(api),
        Ok((loaded_from, _)) => Err(format!(
            "LiteRT is already loaded from {}",
            loaded_from.display()
        )),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Why a model could not be loaded: the runtime itself, or the model file.
#[derive(Debug)]
pub enum LiteRtError {
    Library(String),
    Model(String),
}

/// One tensor buffer owned by LiteRT, with its element count.
struct Buffer {
    handle: Handle,
    len: usize,
}

/// One model compiled for the CPU, with its input and output buffers.
pub struct LiteRtModel {
    api: &'static Api,
    environment: Handle,
    model: Handle,
    options: Handle,
    compiled: Handle,
    input: Buffer,
    outputs: Vec<Buffer>,
    output_names: Vec<String>,
    input_dims: Vec<usize>,
}

// SAFETY: LiteRT's handles are not tied to the thread that made them; a `LiteRtModel` is only
// ever used by one thread at a time (it is not `Sync`).
unsafe impl Send for LiteRtModel {}

fn check(status: Status, what: &str) -> Result<(), String> {
    if status == STATUS_OK {
        Ok(())
    } else {
        Err(format!("LiteRT {what} failed (status {status})"))
    }
}

/// Frees the payload string `create_opaque_options` was given.
unsafe extern "C" fn free_cstring(payload: *mut c_void) {
    if !payload.is_null() {
        // SAFETY: the payload is always a `CString::into_raw` made in `LiteRtModel::load`.
        drop(unsafe { CString::from_raw(payload.cast()) });
    }
}

impl LiteRtModel {
    /// Loads `library`, then compiles `model_path` for the CPU with `threads` XNNPACK threads.
    pub fn load(library: &Path, model_path: &Path, threads: usize) -> Result<Self, LiteRtError> {
        let api = api(library).map_err(LiteRtError::Library)?;
        let (model, log) = with_stderr_captured(|| Self::compile(api, model_path, threads));
        model.map_err(|e| LiteRtError::Model(with_logged_error(e, &log)))
    }

    fn compile(api: &'static Api, model_path: &Path, threads: usize) -> Result<Self, String> {
        let path = CString::new(model_path.as_os_str().as_bytes())
            .map_err(|_| "the path holds a NUL byte".to_string())?;
        let mut this = LiteRtModel {
            api,
            environment: std::ptr::null_mut(),
            model: std::ptr::null_mut(),
            options: std::ptr::null_mut(),
            compiled: std::ptr::null_mut(),
            input: Buffer {
                handle: std::ptr::null_mut(),
                len: 0,
            },
            outputs: Vec::new(),
            output_names: Vec::new(),
            input_dims: Vec::new(),
        };
        // SAFETY: every call gets live handles made above it in this function, and out-pointers
        // to locals; `Drop` frees whatever was made before a failure.
        unsafe {
            check(
                (api.create_environment)(0, std::ptr::null(), &mut this.environment),
                "environment",
            )?;
            check(
                (api.create_model_from_file)(this.environment, path.as_ptr(), &mut this.model),
                "reading the model",
            )?;
            check((api.create_options)(&mut this.options), "options")?;
            check(
                (api.set_accelerators)(this.options, HW_ACCELERATOR_CPU),
                "choosing the CPU",
            )?;
            // The CPU (XNNPACK) options travel as a TOML payload under the "xnnpack" identifier.
            let payload = CString::new(format!("num_threads = {}\n", threads.max(1)))
                .map_err(|e| e.to_string())?
                .into_raw();
            let mut cpu: Handle = std::ptr::null_mut();
            let status = (api.create_opaque_options)(
                c"xnnpack".as_ptr(),
                payload.cast(),
                Some(free_cstring),
                &mut cpu,
            );
            if status != STATUS_OK {
                free_cstring(payload.cast());
            }
            check(status, "CPU options")?;
            check(
                (api.add_opaque_options)(this.options, cpu),
                "adding CPU options",
            )?;
            check(
                (api.create_compiled_model)(
                    this.environment,
                    this.model,
                    this.options,
                    &mut this.compiled,
                ),
                "compiling the model",
            )?;
            let mut signature: Handle = std::ptr::null_mut();
            check(
                (api.get_model_signature)(this.model, 0, &mut signature),
                "signature",
            )?;
            let (mut inputs, mut outputs) = (0usize, 0usize);
            check((api.num_signature_inputs)(signature, &mut inputs), "inputs")?;
            check(
                (api.num_signature_outputs)(signature, &mut outputs),
                "outputs",
            )?;
            if inputs != 1 {
                return Err(format!("it has {inputs} inputs, expected 1"));
            }
            let mut tensor: Handle = std::ptr::null_mut();
            check((api.signature_input)(signature, 0, &mut tensor), "input")?;
            let (input, dims) = this.buffer_for(tensor)?;
            this.input = input;
            this.input_dims = dims;
            for i in 0..outputs {
                let mut tensor: Handle = std::ptr::null_mut();
                check((api.signature_output)(signature, i, &mut tensor), "output")?;
                let mut name: *const c_char = std::ptr::null();
                check(
                    (api.signature_output_name)(signature, i, &mut name),
                    "output name",
                )?;
                let name = if name.is_null() {
                    String::new()
                } else {
                    CStr::from_ptr(name).to_string_lossy().into_owned()
                };
                let (buffer, _) = this.buffer_for(tensor)?;
                this.outputs.push(buffer);
                this.output_names.push(name);
            }
        }
        Ok(this)
    }

    /// A host-memory buffer shaped like `tensor`, which must be `float32`.
    unsafe fn buffer_for(&self, tensor: Handle) -> Result<(Buffer, Vec<usize>), String> {
        let mut ty = RankedTensorType::zeroed();
        // SAFETY: `tensor` comes from the model's signature; `ty` is larger than the C struct.
        unsafe {
            check(
                (self.api.ranked_tensor_type)(tensor, &mut ty),
                "tensor type",
            )?;
        }
        if ty.element_type() != ELEMENT_TYPE_FLOAT32 {
            return Err(format!(
                "a tensor is of element type {}, expected float32",
                ty.element_type()
            ));
        }
        let dims = ty.dims();
        let len: usize = dims.iter().product();
        let mut handle: Handle = std::ptr::null_mut();
        // SAFETY: as above; the buffer is destroyed in `Drop`.
        unsafe {
            check(
                (self.api.create_managed_buffer)(
                    self.environment,
                    BUFFER_HOST_MEMORY,
                    &ty,
                    len * std::mem::size_of::<f32>(),
                    &mut handle,
                ),
                "buffer",
            )?;
        }
        Ok((Buffer { handle, len }, dims))
    }

    /// The input's shape, e.g. `[1, 256, 256, 3]` (NHWC).
    pub fn input_dims(&self) -> &[usize] {
        &self.input_dims
    }

    /// Output names in signature order (`Identity`, `Identity_1`, …).
    pub fn output_names(&self) -> &[String] {
        &self.output_names
    }

    /// Fills the input from `fill` (given the input as a mutable slice), runs the model, and
    /// copies the outputs at `wanted` (indices into [`Self::output_names`]) into `into`.
    pub fn run(
        &mut self,
        fill: impl FnOnce(&mut [f32]) -> Result<(), String>,
        wanted: &[usize],
        into: &mut [Vec<f32>],
    ) -> Result<(), String> {
        // SAFETY: the buffers were made for these tensors with `len` f32 each; a lock gives
        // exclusive host access until the matching unlock.
        unsafe {
            let mut at: *mut c_void = std::ptr::null_mut();
            check(
                (self.api.lock_buffer)(self.input.handle, &mut at, LOCK_WRITE),
                "locking the input",
            )?;
            let filled = fill(std::slice::from_raw_parts_mut(at.cast(), self.input.len));
            check((self.api.unlock_buffer)(self.input.handle), "unlocking")?;
            filled?;
            let mut inputs = [self.input.handle];
            let mut outputs: Vec<Handle> = self.outputs.iter().map(|b| b.handle).collect();
            check(
                (self.api.run_compiled_model)(
                    self.compiled,
                    0,
                    1,
                    inputs.as_mut_ptr(),
                    outputs.len(),
                    outputs.as_mut_ptr(),
                ),
                "running the model",
            )?;
            for (slot, &i) in into.iter_mut().zip(wanted) {
                let buffer = self
                    .outputs
                    .get(i)
                    .ok_or_else(|| format!("no output {i}"))?;
                let mut at: *mut c_void = std::ptr::null_mut();
                check(
                    (self.api.lock_buffer)(buffer.handle, &mut at, LOCK_READ),
                    "locking an output",
                )?;
                slot.clear();
                slot.extend_from_slice(std::slice::from_raw_parts(at.cast::<f32>(), buffer.len));
                check((self.api.unlock_buffer)(buffer.handle), "unlocking")?;
            }
        }
        Ok(())
    }
}

impl Drop for LiteRtModel {
    fn drop(&mut self) {
        // LiteRT logs each accelerator it tears down.
        let _ = with_stderr_captured(|| self.release());
    }
}

impl LiteRtModel {
    fn release(&mut self) {
        // SAFETY: each handle is freed once, children before their parents; null ones were
        // never made.
        unsafe {
            for b in self
                .outputs
                .iter()
                .chain(std::iter::once(&self.input))
                .filter(|b| !b.handle.is_null())
            {
                (self.api.destroy_buffer)(b.handle);
            }
            if !self.compiled.is_null() {
                (self.api.destroy_compiled_model)(self.compiled);
            }
            if !self.options.is_null() {
                (self.api.destroy_options)(self.options);
            }
            if !self.model.is_null() {
                (self.api.destroy_model)(self.model);
            }
            if !self.environment.is_null() {
                (self.api.destroy_environment)(self.environment);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn litert_error_lines_are_found_in_its_log() {
        let log = "INFO: [x.cc:1] registered\nERROR: Could not open 'm.tflite'.\nERROR: The model allocation is null/empty\n";
        assert_eq!(not_litert_lines(log), "");
        // A batch worker's line written while another thread held fd 2 is not LiteRT's.
        assert_eq!(
            not_litert_lines("INFO: x\n[1/3] broken.mp4: FAILED: not a video\n"),
            "[1/3] broken.mp4: FAILED: not a video\n"
        );
        assert_eq!(
            last_error_line(log).as_deref(),
            Some("The model allocation is null/empty")
        );
        assert_eq!(last_error_line("INFO: fine\n"), None);
    }

    #[test]
    fn stderr_written_while_loading_is_caught_and_nesting_does_not_deadlock() {
        let line = b"ERROR: Could not open 'x.tflite'.\n";
        // SAFETY: writing a byte slice to fd 2.
        let (_, log) =
            with_stderr_captured(|| unsafe { libc::write(2, line.as_ptr().cast(), line.len()) });
        assert_eq!(
            last_error_line(&log).as_deref(),
            Some("Could not open 'x.tflite'.")
        );
        // A model dropped inside a failing load captures again on the same thread.
        let ((inner, _), _) = with_stderr_captured(|| with_stderr_captured(|| 7));
        assert_eq!(inner, 7);
    }

    #[test]
    fn a_line_printed_while_another_thread_loads_is_not_caught() {
        let (tx, rx) = std::sync::mpsc::channel();
        let loader = std::thread::spawn(move || {
            with_stderr_captured(|| {
                tx.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(300));
            })
            .1
        });
        rx.recv().unwrap();
        {
            let _quiet = hold_stderr();
            let line = b"[2/3] other.mp4: 65 frames\n";
            // SAFETY: writing a byte slice to fd 2.
            unsafe { libc::write(2, line.as_ptr().cast(), line.len()) };
        }
        let caught = loader.join().unwrap();
        assert!(
            !caught.contains("other.mp4"),
            "the progress line went into the capture"
        );
    }

    #[test]
    fn setup_pins_the_same_build() {
        let setup = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/setup"),
        )
        .unwrap();
        assert!(setup.contains(&format!("litert_version={LITERT_VERSION}\n")));
        assert!(setup.contains(&format!("litert_sha256={LITERT_SHA256}\n")));
    }

    #[test]
    fn digests_are_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn tensor_type_reads_rank_and_dims() {
        let mut ty = RankedTensorType::zeroed();
        ty.0[0..4].copy_from_slice(&1i32.to_ne_bytes());
        ty.0[4..8].copy_from_slice(&(4i32 | 0x80).to_ne_bytes());
        for (i, d) in [1i32, 256, 256, 3].into_iter().enumerate() {
            ty.0[8 + 4 * i..12 + 4 * i].copy_from_slice(&d.to_ne_bytes());
        }
        assert_eq!(ty.element_type(), ELEMENT_TYPE_FLOAT32);
        assert_eq!(ty.dims(), vec![1, 256, 256, 3]);
    }
}
