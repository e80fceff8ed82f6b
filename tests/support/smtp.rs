//! A real SMTP receiver on loopback: Debian's python3-aiosmtpd running `smtp_sink.py`, which
//! writes each message it accepts to a directory. With `CI=true` it is mandatory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct SmtpSink {
    child: Child,
    pub dir: PathBuf,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python that has aiosmtpd, if any.
fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

impl SmtpSink {
    /// Starts a receiver on `port` writing into `dir`; `None` (with a notice) when aiosmtpd is
    /// missing outside CI.
    pub fn start(dir: &Path, port: u16) -> Option<SmtpSink> {
        let Some(python) = python() else {
            assert!(
                !super::db::in_ci(),
                "CI=true but no python3 with aiosmtpd: .ci/run installs python3-aiosmtpd"
            );
            super::db::notice(
                "note: python3-aiosmtpd is not installed; skipping the SMTP part of this test",
            );
            return None;
        };
        let mut child = Command::new(python)
            .arg(super::repo_root().join("tests/support/smtp_sink.py"))
            .arg(dir)
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the SMTP receiver starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the receiver says where it listens");
        assert!(line.starts_with("listening"), "{line}");
        Some(SmtpSink {
            child,
            dir: dir.to_owned(),
        })
    }

    /// The messages received so far, in order.
    pub fn messages(&self) -> Vec<String> {
        messages_in(&self.dir)
    }
}

pub fn messages_in(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect()
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
