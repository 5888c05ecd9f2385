//! The deferred command tree (`#[command(defer = true)]` on `Command`) behaves as the whole tree
//! built up front: same listing in `samlkit --help`, same help, errors and suggestions.

use clap::CommandFactory;

use crate::Cli;

/// The whole tree, every deferred subcommand built (what clap parsed before `defer`).
fn built() -> clap::Command {
    let mut command = Cli::command();
    command.build();
    command
}

/// What the parent knows of a subcommand before building it: enough to list it, find it by
/// name or alias and hide it (clap's own `help` subcommand aside, which building adds).
fn listing(command: &clap::Command) -> Vec<(String, Option<String>, Vec<String>, bool)> {
    command
        .get_subcommands()
        .filter(|sub| sub.get_name() != "help")
        .map(|sub| {
            (
                sub.get_name().to_string(),
                sub.get_about().map(ToString::to_string),
                sub.get_all_aliases().map(str::to_string).collect(),
                sub.is_hide_set(),
            )
        })
        .collect()
}

#[test]
fn the_unbuilt_listing_is_the_built_one() {
    let unbuilt = listing(&Cli::command());
    let built = listing(&built());
    assert_eq!(unbuilt.len(), 14, "{unbuilt:?}");
    assert!(unbuilt.iter().all(|(_, about, _, _)| about.is_some()), "{unbuilt:?}");
    assert_eq!(unbuilt, built);
}

#[test]
fn a_described_subcommand_shows_only_its_line() {
    // The seven whose variant carries the text: their Args struct's longer doc comment, if any,
    // is not shown (as before `defer`).
    let built = built();
    for name in ["cert", "inventory", "c14n", "jwt", "redirect", "mtls", "decrypt"] {
        let sub = built.find_subcommand(name).expect("a subcommand");
        assert!(sub.get_long_about().is_none(), "{name}: {:?}", sub.get_long_about());
    }
    let verify = built.find_subcommand("verify").expect("verify");
    assert!(verify.get_long_about().is_some(), "verify keeps its VerifyArgs text");
}

/// Every command path of the tree: `[]`, `["cert"]`, `["cert", "new"]`, … Not clap's `help`
/// subcommands: `Command::build` gives those a tree of their own that a parse does not (the
/// lines `help …` below cover them).
fn command_paths(command: &clap::Command) -> Vec<Vec<String>> {
    let mut paths = vec![Vec::new()];
    for sub in command.get_subcommands().filter(|sub| sub.get_name() != "help") {
        for mut path in command_paths(sub) {
            path.insert(0, sub.get_name().to_string());
            paths.push(path);
        }
    }
    paths
}

/// Command lines for each path: its help in every spelling, nothing after it, a misspelt flag,
/// a misspelt name (clap's suggestions), plus top-level odd ones.
fn command_lines() -> Vec<Vec<String>> {
    let mut lines: Vec<Vec<String>> = [
        &[][..],
        &["--version"],
        &["-V"],
        &["help"],
        &["help", "nosuch"],
        &["verfy"],
        &["nosuch"],
        &["--password-env"],
        &["--password-env", "X"],
        &["--password-env", "A", "--password-file", "B", "verify"],
        &["--", "verify"],
        &["--version", "verify"],
        &["verify", "--version"],
    ]
    .iter()
    .map(|line| line.iter().map(|word| word.to_string()).collect())
    .collect();
    for path in command_paths(&built()) {
        let with = |extra: &[&str]| -> Vec<String> {
            path.iter().cloned().chain(extra.iter().map(|word| word.to_string())).collect()
        };
        lines.extend([
            with(&["--help"]),
            with(&["-h"]),
            with(&[]),
            with(&["--no-such-flag"]),
            with(&["--jsn"]),
            with(&["--password-stdin", "--help"]),
            ["help".to_string()].into_iter().chain(path.iter().cloned()).collect(),
        ]);
        if let Some((last, parent)) = path.split_last() {
            let misspelt = parent.iter().cloned().chain([format!("{last}x")]).collect();
            lines.push(misspelt);
        }
    }
    lines
}

/// What a parse shows: the rendered help or error and its kind, or the chosen command path.
fn outcome(command: &mut clap::Command, line: &[String]) -> String {
    let argv = std::iter::once("samlkit".to_string()).chain(line.iter().cloned());
    match command.try_get_matches_from_mut(argv) {
        Ok(mut matches) => {
            let mut path = Vec::new();
            while let Some((name, sub)) = matches.remove_subcommand() {
                path.push(name);
                matches = sub;
            }
            format!("ok {path:?}")
        }
        Err(err) => format!("{:?}\n{}", err.kind(), err.render()),
    }
}

#[test]
fn deferred_parses_render_as_the_built_tree() {
    let lines = command_lines();
    assert!(lines.len() > 200, "{} command lines", lines.len());
    for line in &lines {
        let deferred = outcome(&mut Cli::command(), line);
        let whole = outcome(&mut built(), line);
        assert_eq!(deferred, whole, "samlkit {line:?}");
    }
}
