use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/seed/000_5b3cae3e93885f9f.txt"
);

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A scratch directory with its own database; `duban` runs inside it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
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
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
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
        let output = Command::new(env!("CARGO_BIN_EXE_duban"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .expect("run duban");
        Run::from(output)
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
