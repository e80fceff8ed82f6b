//! Runs the `jiandu` binary itself as a child process and measures it as a user would see it:
//! wall seconds and peak resident memory (the kernel's high-water mark, read while it runs).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// What one command took.
#[derive(Debug, Clone)]
pub struct Ran {
    pub seconds: f64,
    pub peak_mb: f64,
    pub stdout: String,
}

/// Runs `jiandu --db DB [--rules DIR] ARGS…`; its output is kept only when `keep_stdout`
/// (a listing of a million findings is measured, not held).
pub fn jiandu(
    db: &str,
    rules: Option<&Path>,
    args: &[&str],
    out_dir: &Path,
    keep_stdout: bool,
) -> Result<Ran> {
    let exe = std::env::current_exe().context("cannot find the jiandu binary")?;
    let stdout_path = out_dir.join("child-stdout.txt");
    let stdout = std::fs::File::create(&stdout_path)
        .with_context(|| format!("cannot write {}", stdout_path.display()))?;
    let mut command = Command::new(exe);
    command.arg("--db").arg(db);
    if let Some(rules) = rules {
        command.arg("--rules").arg(rules);
    }
    command
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    let started = Instant::now();
    let child = command.spawn().context("cannot start jiandu")?;
    let pid = child.id();
    let mut peak_kb = 0u64;
    let output = {
        let waiter = std::thread::spawn(move || child.wait_with_output());
        while !waiter.is_finished() {
            peak_kb = peak_kb.max(high_water_kb(pid).unwrap_or(0));
            std::thread::sleep(Duration::from_millis(20));
        }
        waiter
            .join()
            .map_err(|_| anyhow::anyhow!("the waiting thread panicked"))??
    };
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!(
            "jiandu {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = if keep_stdout {
        std::fs::read_to_string(&stdout_path)?
    } else {
        String::new()
    };
    std::fs::remove_file(&stdout_path).ok();
    Ok(Ran {
        seconds,
        peak_mb: peak_kb as f64 / 1024.0,
        stdout,
    })
}

/// The process's peak resident set so far (`VmHWM`), in KiB; `None` once it has exited.
pub fn high_water_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
