//! A fresh directory per test, the fixtures, and helpers to run `mmt` inside it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use assert_cmd::Command;
use tempfile::TempDir;

pub const LOREM: &[u8] = include_bytes!("../../fixtures/lorem.txt");
pub const BINARY: &[u8] = include_bytes!("../../fixtures/binary.bin");
pub const CRLF: &[u8] = include_bytes!("../../fixtures/crlf.txt");

pub struct Sandbox {
    dir: TempDir,
    /// The state directory of the runs mmt makes here (journals, undo data), apart from the
    /// sandbox so that listings of it show only the test's files.
    state: TempDir,
}

/// A state directory for runs started without a sandbox, so that no test writes to the real
/// `~/.local/state/mmt`.
pub fn scratch_state() -> &'static Path {
    static STATE: std::sync::OnceLock<TempDir> = std::sync::OnceLock::new();
    STATE
        .get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
}

/// A state directory that the unprivileged user (65534) of the root-only tests owns, inside
/// the sandbox's own state directory.
pub fn unprivileged_state(sb: &Sandbox) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = sb.state().join("nobody");
    fs::create_dir_all(&dir).expect("a state directory");
    std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).expect("chown");
    fs::set_permissions(sb.state(), fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            state: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// Where mmt keeps this sandbox's journals and undo data.
    pub fn state(&self) -> &Path {
        self.state.path()
    }

    /// A sandbox holding `lorem.txt`, `binary.bin`, `crlf.txt` and `empty.bin`.
    pub fn with_fixtures() -> Self {
        let sandbox = Self::new();
        sandbox.write("lorem.txt", LOREM);
        sandbox.write("binary.bin", BINARY);
        sandbox.write("crlf.txt", CRLF);
        sandbox.write("empty.bin", b"");
        sandbox
    }

    /// Starts `mmt ARGS` here, held at `step` of its run (see [`hold_env`]), and returns once it
    /// is there: the test acts, then releases it, signals it or kills it.
    pub fn spawn_paused(&self, args: &[&str], step: &str) -> Paused {
        start_paused_in(self, self.state(), args, step)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, bytes).expect("write a fixture");
        path
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        fs::read(self.path(name)).expect("read a file back")
    }

    pub fn mtime(&self, name: &str) -> SystemTime {
        fs::metadata(self.path(name))
            .and_then(|m| m.modified())
            .expect("mtime")
    }

    /// Makes the file's mtime old, so that a test can tell whether mmt touched it.
    pub fn age(&self, name: &str) {
        let old = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        let file = fs::File::options()
            .write(true)
            .open(self.path(name))
            .expect("open");
        file.set_modified(old).expect("set mtime");
    }

    /// Names in the directory, sorted: tests check that no temporary file is left behind.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.dir())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// `mmt ARGS` run inside the sandbox.
    pub fn mmt<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::cargo_bin("mmt").expect("the mmt binary");
        cmd.current_dir(self.dir())
            .env_remove("NO_COLOR")
            .env("MMT_STATE_DIR", self.state())
            .args(args);
        cmd
    }
}

impl Sandbox {
    /// `bash -c SCRIPT` inside the sandbox, with `$MMT` naming the binary and the sandbox's
    /// state directory set, for what needs a shell (`ulimit`, a pipe).
    pub fn bash(&self, script: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new("bash");
        cmd.args(["-o", "pipefail", "-c", script])
            .current_dir(self.dir())
            .env("MMT", mmt_bin())
            .env("MMT_STATE_DIR", self.state());
        cmd
    }
}

/// Runs `cmd`, asserts that it succeeded (showing its stderr if not) and returns its stdout.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run mmt");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Asserts that `mmt` failed the documented way: exit 2, one `mmt: ` message that contains
/// `needle`, nothing on standard output, and no panic or backtrace.
pub fn assert_error(output: &std::process::Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.starts_with("mmt: "), "stderr: {stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "stdout: {:?}", output.stdout);
}

/// The mmt binary that this test run built: the one way tests start it (through [`Sandbox::mmt`]
/// where they can).
pub fn mmt_bin() -> &'static str {
    env!("CARGO_BIN_EXE_mmt")
}

/// Polls `cond` every few milliseconds until it holds, and fails the test, saying `what`,
/// when `deadline` passes first: the tests' one poll loop, never a fixed wait.
pub fn eventually(what: &str, deadline: Duration, mut cond: impl FnMut() -> bool) {
    let until = Instant::now() + deadline;
    while !cond() {
        assert!(Instant::now() < until, "{what}: not within {deadline:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Runs `mmt ARGS` in `dir` as an unprivileged user when the tests run as root (root reads
/// every file whatever its mode). `None` when that cannot be done here.
pub fn run_unprivileged(sb: &Sandbox, args: &[&str]) -> Option<std::process::Output> {
    let mut cmd = if is_root() {
        if std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_err()
        {
            return None;
        }
        fs::set_permissions(
            sb.dir(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            mmt_bin(),
        ]);
        cmd.env("MMT_STATE_DIR", unprivileged_state(sb));
        cmd
    } else {
        let mut cmd = std::process::Command::new(mmt_bin());
        cmd.env("MMT_STATE_DIR", sb.state());
        cmd
    };
    Some(cmd.args(args).current_dir(sb.dir()).output().unwrap())
}

/// The environment that holds mmt at `step` (a name from `Step` in `src/test_hooks.rs`:
/// `before-commit`, `mid-patch`, ...), with the files it says it is there in (`paused`) and
/// waits for (`release`), inside `state`.
pub fn hold_env(state: &Path, step: &str) -> [(&'static str, std::ffi::OsString); 3] {
    [
        ("MMT_TEST_HOLD_AT", step.into()),
        // Named for the step: two processes held at two steps share a state directory.
        (
            "MMT_TEST_PAUSED_MARKER",
            state.join(format!("{step}.paused")).into(),
        ),
        (
            "MMT_TEST_RELEASE_MARKER",
            state.join(format!("{step}.release")).into(),
        ),
    ]
}

/// A process that is killed and reaped when dropped, if it still runs: a failing test leaves
/// no process behind.
pub struct Reaped(Option<std::process::Child>);

impl Reaped {
    pub fn new(child: std::process::Child) -> Reaped {
        Reaped(Some(child))
    }

    /// Waits for the process to end, with what it printed.
    pub fn wait_with_output(mut self) -> std::io::Result<std::process::Output> {
        self.0.take().expect("a child").wait_with_output()
    }
}

impl std::ops::Deref for Reaped {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        self.0.as_ref().expect("a child")
    }
}

impl std::ops::DerefMut for Reaped {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        self.0.as_mut().expect("a child")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// mmt held at a step of its run (see [`Sandbox::spawn_paused`]): the process (reaped when
/// dropped), and the file that lets it go on.
pub struct Paused {
    child: Reaped,
    release: PathBuf,
}

impl Paused {
    /// Lets mmt go on from the step it is held at.
    pub fn release(&self) {
        fs::write(&self.release, b"").expect("write the release file");
    }

    /// Waits for mmt to end, with what it printed.
    pub fn wait_with_output(self) -> std::io::Result<std::process::Output> {
        self.child.wait_with_output()
    }
}

impl std::ops::Deref for Paused {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.child
    }
}

impl std::ops::DerefMut for Paused {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.child
    }
}

/// Starts `mmt ARGS` in `sb` with its state directory in `state`, held at `step` (see
/// [`hold_env`]), and returns once mmt is there. Fails if mmt ends first.
pub fn start_paused_in(sb: &Sandbox, state: &Path, args: &[&str], step: &str) -> Paused {
    start_paused_with(sb, state, args, step, &[])
}

/// [`start_paused_in`] with more environment (`extra`) for mmt.
pub fn start_paused_with(
    sb: &Sandbox,
    state: &Path,
    args: &[&str],
    step: &str,
    extra: &[(&str, &str)],
) -> Paused {
    let env = hold_env(state, step);
    let (paused, release) = (PathBuf::from(&env[1].1), PathBuf::from(&env[2].1));
    let _ = fs::remove_file(&paused);
    let _ = fs::remove_file(&release);
    let child = std::process::Command::new(mmt_bin())
        .args(args)
        .current_dir(sb.dir())
        .env("MMT_STATE_DIR", state)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .envs(extra.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start mmt");
    let mut held = Paused {
        child: Reaped::new(child),
        release,
    };
    eventually(
        &format!("mmt reaches {step}"),
        Duration::from_secs(20),
        || {
            if let Some(status) = held.try_wait().expect("wait for mmt") {
                panic!("mmt ended ({status}) before {step}");
            }
            paused.exists()
        },
    );
    let _ = fs::remove_file(&paused);
    held
}

/// Fails the test, saying `why`, when `tool` cannot be run: a test that needs a tool checks
/// nothing without it, and must not pass as if it had.
pub fn require(tool: &str, why: &str) {
    let runs = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok();
    assert!(runs, "{tool} is not installed, and {why}");
}

/// Whether the tests run as root (which ignores permission bits, and may mount and chattr).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}
