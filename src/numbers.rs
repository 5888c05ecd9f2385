//! Numeric flags (`--skew`, `--valid-for`, `--warn-days`, …): one parser, so a negative or
//! malformed number gets the same clear message from every command instead of clap's
//! "unexpected argument '-1'" (clap reads `-1` as a flag unless told otherwise: every numeric
//! flag sets `allow_negative_numbers = true` and parses with [`whole_number`]).

/// A whole number from 0 to `u32::MAX`.
pub(crate) fn whole_number(value: &str) -> Result<u32, String> {
    let value = value.trim();
    value.parse::<u32>().map_err(|_| {
        if value.starts_with('-') {
            "must not be negative: give a whole number, 0 or more".to_string()
        } else {
            "not a whole number (write digits only, e.g. 300)".to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_malformed_numbers_are_named() {
        assert_eq!(whole_number(" 300 "), Ok(300));
        assert!(whole_number("-1").unwrap_err().starts_with("must not be negative"));
        assert!(whole_number("1.5").unwrap_err().starts_with("not a whole number"));
        assert!(whole_number("99999999999").unwrap_err().starts_with("not a whole number"));
    }
}
