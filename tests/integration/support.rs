use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::Value;

use super::scratch::ScratchDatabase;

pub const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/seed/000_5b3cae3e93885f9f.txt"
);

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The variable naming the PostgreSQL database the suite runs on instead of SQLite.
pub const DATABASE_URL_VARIABLE: &str = "DUBAN_TEST_DATABASE_URL";

/// A scratch directory with its own database; `duban` runs inside it. The database is
/// `duban.db` in the directory (`duban`'s default), or, when `DUBAN_TEST_DATABASE_URL`
/// names a PostgreSQL database, a scratch database beside it that `duban` is given
/// as `DATABASE_URL`.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    postgres: Option<ScratchDatabase>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failed(self) -> Run {
        assert_ne!(
            self.code, 0,
            "expected failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let postgres = std::env::var(DATABASE_URL_VARIABLE)
            .ok()
            .filter(|url| !url.trim().is_empty())
            .map(|base| ScratchDatabase::create(&base));
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
            postgres,
        }
    }

    /// The URL of the sandbox's database.
    pub fn database_url(&self) -> String {
        match &self.postgres {
            Some(database) => database.url.clone(),
            None => format!("sqlite://{}", self.path("duban.db").display()),
        }
    }

    /// Whether the sandbox's database is a SQLite file (not PostgreSQL).
    pub fn is_sqlite(&self) -> bool {
        self.postgres.is_none()
    }

    /// `duban` to run in the sandbox, on its database.
    pub fn duban(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_duban"));
        command.current_dir(self.dir.path());
        match &self.postgres {
            Some(database) => command.env("DATABASE_URL", &database.url),
            None => command.env_remove("DATABASE_URL"),
        };
        command
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write fixture");
        path
    }

    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let output = self.duban().args(args).output().expect("run duban");
        Run::from(output)
    }

    /// Runs `duban ARGS` with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .duban()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run duban");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        Run::from(child.wait_with_output().expect("wait duban"))
    }

    pub fn import(&self, path: &Path) -> Run {
        self.run([Path::new("import"), path])
    }

    /// Everything the store holds, as the CLI shows it: for "nothing changed" checks.
    pub fn snapshot(&self) -> String {
        let list = self.run(["list", "--format", "json"]).ok().stdout;
        let mut all = list.clone();
        for doc in serde_json::from_str::<Value>(&list)
            .expect("list json")
            .as_array()
            .expect("array")
        {
            let id = doc["id"].to_string();
            all.push_str(
                &self
                    .run(["export", id.as_str(), "--format", "json"])
                    .ok()
                    .stdout,
            );
        }
        all.push_str(&self.run(["units", "--format", "json"]).ok().stdout);
        all
    }
}

/// A running `duban serve` (or `duban demo`) on a free loopback port; killed on drop.
pub struct Server {
    child: std::process::Child,
    pub base: String,
    /// What the server printed at start (the demo prints its accounts).
    pub banner: String,
}

impl Server {
    /// Starts `duban ARGS --bind 127.0.0.1:0` in the sandbox and waits for its address.
    pub fn start(sandbox: &Sandbox, args: &[&str]) -> Server {
        Server::start_with_env(sandbox, args, &[])
    }

    /// [`Server::start`] with these environment variables set as well.
    pub fn start_with_env(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Server {
        use std::io::{BufRead, BufReader};
        let mut child = sandbox
            .duban()
            .args(args)
            .args(["--bind", "127.0.0.1:0"])
            .env_remove("DUBAN_BIND")
            // The suite's accounts are made with `duban user add`, whose passwords the
            // server would have changed first; the tests of that set it back on.
            .env("DUBAN_FORCE_PASSWORD_CHANGE", "false")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("start duban");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut banner = String::new();
        let mut base = None;
        let mut line = String::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            banner.push_str(&line);
            if let Some(rest) = line.split("http://").nth(1) {
                base = Some(format!(
                    "http://{}",
                    rest.split('/').next().unwrap_or_default()
                ));
            }
            // The demo's account table ends with an empty line.
            if base.is_some() && (!args.contains(&"demo") || line.trim().is_empty()) {
                break;
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        let base = base.unwrap_or_else(|| panic!("server did not start:\n{banner}"));
        Server {
            child,
            base,
            banner,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's resident memory now, in KiB (Linux `/proc`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("server status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    /// A client with its own cookie jar, signed in as `username`.
    pub fn login(&self, username: &str, password: &str) -> reqwest::blocking::Client {
        let client = Self::client();
        let response = client
            .post(self.url("/api/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .expect("login request");
        assert_eq!(
            response.status(),
            200,
            "login as {username}: {}",
            response.text().unwrap_or_default()
        );
        client
    }

    pub fn client() -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    /// A sandbox whose store holds the seed and `accounts` (username, role, unit), all
    /// with [`PASSWORD`].
    pub fn seeded(accounts: &[(&str, &str, Option<&str>)]) -> Sandbox {
        let sandbox = Sandbox::new();
        sandbox.import(SEED.as_ref()).ok();
        for (username, role, unit) in accounts {
            let mut args = vec!["user", "add", username, "--role", role, "--password-stdin"];
            if let Some(unit) = unit {
                args.extend(["--unit", unit]);
            }
            sandbox.run_with_stdin(&args, &format!("{PASSWORD}\n")).ok();
        }
        sandbox
    }
}

/// The password of every account an [`App`] creates.
pub const PASSWORD: &str = "correct-horse-1";

/// `duban serve` on a fresh store with the seed and accounts (username, role, unit), all
/// with [`PASSWORD`]; requests as those accounts, answers as status and JSON or text.
pub struct App {
    _sandbox: Sandbox,
    pub server: Server,
}

impl App {
    pub fn start(accounts: &[(&str, &str, Option<&str>)]) -> App {
        let sandbox = Sandbox::seeded(accounts);
        let server = Server::start(&sandbox, &["serve"]);
        App {
            _sandbox: sandbox,
            server,
        }
    }

    /// The sandbox the app's store is in (to run `duban` on it).
    pub fn sandbox(&self) -> &Sandbox {
        &self._sandbox
    }

    /// An app over a server already started on `sandbox` (seeded by the caller).
    pub fn from_server(sandbox: Sandbox, server: Server) -> App {
        App {
            _sandbox: sandbox,
            server,
        }
    }

    pub fn login(&self, username: &str) -> reqwest::blocking::Client {
        self.server.login(username, PASSWORD)
    }

    pub fn get(&self, client: &reqwest::blocking::Client, path: &str) -> (StatusCode, Value) {
        let response = client.get(self.server.url(path)).send().expect("request");
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    pub fn post(
        &self,
        client: &reqwest::blocking::Client,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let response = client
            .post(self.server.url(path))
            .json(&body)
            .send()
            .expect("request");
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    pub fn delete(&self, client: &reqwest::blocking::Client, path: &str) -> (StatusCode, Value) {
        let response = client
            .delete(self.server.url(path))
            .send()
            .expect("request");
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// A page: its status and HTML.
    pub fn page(&self, client: &reqwest::blocking::Client, path: &str) -> (StatusCode, String) {
        let response = client.get(self.server.url(path)).send().expect("page");
        let status = response.status();
        (status, response.text().unwrap_or_default())
    }

    /// Posts a form as a browser does (`application/x-www-form-urlencoded`).
    pub fn form(
        &self,
        client: &reqwest::blocking::Client,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let body: String = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = client
            .post(self.server.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .expect("form");
        let status = response.status();
        (status, response.text().unwrap_or_default())
    }
}

/// Percent-encodes a form field (every byte but unreserved ASCII).
pub fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
