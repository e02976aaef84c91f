//! `duban`: the command line. Thin: parse arguments, call the libraries, print.

mod analyse;
mod cli;
mod demo_data;
mod migrate_cmd;
mod notice_cmd;
mod reliability_cmd;
mod render_cmd;
mod user_cmd;
mod web_cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误：{err:#}");
            ExitCode::FAILURE
        }
    }
}
