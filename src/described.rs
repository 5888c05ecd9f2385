//! A subcommand whose one-line description in `main.rs` replaces its Args struct's own text.
//!
//! The top-level `Command` enum is `#[command(defer = true)]`: a subcommand's arguments are
//! built only when it runs or shows its help. Deferring also changes which text wins: without
//! it, a doc comment on an enum variant was applied after the Args struct's doc comment and
//! replaced it; deferred, the Args struct's text is applied last. [`Described`] keeps the
//! variant's line the last word, so every `--help` reads as it did before.

use std::marker::PhantomData;

use clap::{ArgMatches, Args, Command, FromArgMatches};

/// The description of one subcommand (a marker type per subcommand, see [`describe!`]).
pub(crate) trait About {
    /// One line without a final period, as `samlkit --help` lists it and as the first line of
    /// `samlkit COMMAND --help`; that help has no longer text.
    const ABOUT: &'static str;
}

/// The arguments `T` of a subcommand described by `A`: parsed exactly as `T`, shown with
/// `A::ABOUT` (and no long about) whatever `T`'s own doc comment says, as a doc comment on the
/// variant did without `defer`.
pub(crate) struct Described<T, A> {
    /// The subcommand's arguments.
    pub(crate) args: T,
    about: PhantomData<A>,
}

impl<T: Args, A: About> Args for Described<T, A> {
    fn augment_args(cmd: Command) -> Command {
        T::augment_args(cmd).about(A::ABOUT).long_about(None)
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        T::augment_args_for_update(cmd).about(A::ABOUT).long_about(None)
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: FromArgMatches, A> FromArgMatches for Described<T, A> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Self::new)
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Self::new)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.args.update_from_arg_matches(matches)
    }

    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.args.update_from_arg_matches_mut(matches)
    }
}

impl<T, A> Described<T, A> {
    fn new(args: T) -> Self {
        Self { args, about: PhantomData }
    }
}

/// Declares one [`About`] marker type per subcommand: `describe! { Cert = "…"; }`.
macro_rules! describe {
    ($($(#[$doc:meta])* $name:ident = $about:literal;)*) => {
        $(
            $(#[$doc])*
            pub(crate) struct $name;
            impl $crate::described::About for $name {
                const ABOUT: &'static str = $about;
            }
        )*
    };
}
pub(crate) use describe;
