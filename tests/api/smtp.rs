//! A real SMTP server for the tests: aiosmtpd (PyPI) writing to a maildir.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpServer {
    /// Starts aiosmtpd on `port` (a free one when `None`) and waits until it accepts.
    pub async fn start(port: Option<u16>) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let mut server = SmtpServer { port: port.unwrap_or_else(free_port), dir, child: None };
        server.launch().await;
        server
    }

    async fn launch(&mut self) {
        let maildir = self.dir.path().join("maildir");
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 -m aiosmtpd: install it with `pip install aiosmtpd` (bash .ci/test does)");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {}", self.port);
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, decoded enough to read links.
    pub fn messages(&self) -> Vec<String> {
        let new: PathBuf = self.dir.path().join("maildir").join("new");
        let mut out: Vec<String> = std::fs::read_dir(&new)
            .map(|rd| rd.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect())
            .unwrap_or_default();
        out.iter_mut().for_each(|m| *m = decode_quoted_printable(m));
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Undoes quoted-printable soft line breaks and `=3D`, which is all the
/// tests need to find links in a message.
pub fn decode_quoted_printable(s: &str) -> String {
    s.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The first `{prefix}...` link in `text` (up to whitespace, quote or `<`).
pub fn link(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)?;
    let rest = &text[start..];
    let end = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(rest.len());
    Some(rest[..end].to_string())
}
