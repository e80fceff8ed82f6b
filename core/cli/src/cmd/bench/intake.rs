//! Complaint intake under load: `jiandu serve` on loopback, pushed to by concurrent clients
//! over keep-alive HTTP/1.1, one tenth of the pushes repeating an earlier task number.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const TOKEN: &str = "bench-platform-token";

/// One load level's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Load {
    pub clients: usize,
    pub pushes: usize,
    pub unique: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Answers other than 200 and 201.
    pub failed: usize,
}

/// A served store, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// The server's peak resident memory so far.
    pub fn peak_mb(&self) -> Option<f64> {
        super::child::high_water_kb(self.child.id()).map(|kb| kb as f64 / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub fn serve(db: &str) -> Result<Server> {
    let exe = std::env::current_exe().context("cannot find the jiandu binary")?;
    let mut child = Command::new(exe)
        .args([
            "--db",
            db,
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-nightly-sweep",
        ])
        .env("JIANDU_PLATFORM_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .context("cannot start jiandu serve")?;
    let stdout = child.stdout.take().context("no output from jiandu serve")?;
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let addr = loop {
        let Some(line) = lines.next() else {
            bail!("jiandu serve ended before listening");
        };
        let line = line?;
        if let Some(rest) = line.split("://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap_or("");
            break addr
                .parse()
                .with_context(|| format!("address in `{line}`"))?;
        }
    };
    // The rest of its output is not read; dropping the pipe would stop a later print.
    std::thread::spawn(move || for _ in lines {});
    Ok(Server { child, addr })
}

/// The pushes of one level: `n` envelopes with fresh task numbers (`tag` keeps levels apart),
/// every tenth a repeat of an earlier one.
pub fn pushes(templates: &[Value], n: usize, tag: &str) -> (Vec<String>, usize) {
    let mut bodies: Vec<String> = Vec::with_capacity(n);
    let mut unique = 0;
    for i in 0..n {
        if i % 10 == 9
            && let Some(earlier) = bodies.get(i - 5).cloned()
        {
            bodies.push(earlier);
            continue;
        }
        let mut envelope = templates[i % templates.len()].clone();
        envelope["taskInfo"]["taskNo"] = Value::String(format!("BENCH{tag}{i:07}"));
        bodies.push(envelope.to_string());
        unique += 1;
    }
    (bodies, unique)
}

pub async fn load(
    addr: SocketAddr,
    bodies: Vec<String>,
    clients: usize,
    unique: usize,
) -> Result<Load> {
    let n = bodies.len();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(
        bodies.into_iter().rev().collect::<Vec<_>>(),
    ));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let queue = queue.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::open(addr).await?;
            let mut latencies = Vec::new();
            let mut failed = 0;
            loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .pop();
                let Some(body) = next else { break };
                let sent = Instant::now();
                let status = conn.push(&body).await?;
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                if status != 200 && status != 201 {
                    failed += 1;
                }
            }
            anyhow::Ok((latencies, failed))
        }));
    }
    let mut latencies = Vec::with_capacity(n);
    let mut failed = 0;
    for task in tasks {
        let (l, f) = task.await??;
        latencies.extend(l);
        failed += f;
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    Ok(Load {
        clients,
        pushes: n,
        unique,
        seconds,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        failed,
    })
}

/// One keep-alive connection speaking just enough HTTP/1.1 for the push endpoint.
struct Connection {
    reader: BufReader<TcpStream>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            reader: BufReader::new(stream),
        })
    }

    async fn push(&mut self, body: &str) -> Result<u16> {
        let request = format!(
            "POST /api/v1/platform/complaints HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.reader.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("not an HTTP status line: {line:?}"))?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await?;
        Ok(status)
    }
}

/// The demo's well-formed pushes, as templates.
pub fn templates(calendar: &jiandu_calendar::Calendar) -> Vec<Value> {
    let data = jiandu_demo::generate(2026, calendar);
    data.complaints
        .items
        .into_iter()
        .map(|c| c.envelope)
        .filter(|e| jiandu_complaints::envelope::read(e).is_ok())
        .collect()
}
