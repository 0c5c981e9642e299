//! `docs/cli.md` is the command line's own help, so that the reference
//! never drifts from what `inkstone --help` says. After changing a command
//! or flag, regenerate it with `UPDATE=1 cargo test --test cli_reference`.

use std::path::Path;
use std::process::Command;

fn help(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(args)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .expect("run inkstone");
    assert!(output.status.success(), "inkstone {args:?} --help failed");
    String::from_utf8(output.stdout).expect("UTF-8 help")
}

/// The subcommands listed under "Commands:" in the top-level help.
fn subcommands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A wrapped description continues on a line indented further.
        .filter(|l| !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

fn reference() -> String {
    let top = help(&[]);
    let mut out = String::from(
        "# Command-line reference\n\n\
         This page is the output of `inkstone --help` and `inkstone COMMAND --help`;\n\
         a test regenerates it and fails when it differs\n\
         (`UPDATE=1 cargo test --test cli_reference` accepts a change).\n\
         The guide (`docs/guide.md`) shows the commands at work.\n",
    );
    out.push_str(&format!("\n## inkstone\n\n```text\n{}```\n", top));
    let commands = subcommands(&top);
    assert!(commands.len() >= 4, "commands: {commands:?}\n{top}");
    for command in commands {
        let text = help(&[&command]);
        out.push_str(&format!("\n## inkstone {command}\n\n```text\n{text}```\n"));
    }
    out
}

#[test]
fn docs_cli_md_is_the_help_of_every_command() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    let generated = reference();
    if std::env::var_os("UPDATE").is_some() {
        std::fs::write(&path, &generated).expect("write docs/cli.md");
        return;
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == generated,
        "docs/cli.md differs from the command line's help; review and accept with `UPDATE=1 cargo test --test cli_reference`"
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, mark) in [
        ("bash", "_inkstone()"),
        ("zsh", "#compdef inkstone"),
        ("fish", "complete -c inkstone"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_inkstone"))
            .args(["completions", shell])
            .output()
            .expect("run inkstone");
        assert!(output.status.success());
        let script = String::from_utf8(output.stdout).expect("UTF-8 script");
        assert!(script.contains(mark), "{shell}: {script}");
        // Every command can be completed.
        for command in ["build", "check", "inspect", "init"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
}
