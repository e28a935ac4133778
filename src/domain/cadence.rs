//! How often a survey runs.

use super::FieldError;
use std::fmt;

/// How often a survey runs.
///
/// Stored as its text form (`one_off`, `monthly`, `quarterly`, `every_N_weeks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum Cadence {
    OneOff,
    Monthly,
    Quarterly,
    Weeks(u32),
}

impl Cadence {
    /// `one_off`, `monthly`, `quarterly`, or `every_N_weeks` / `weeks:N`.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let weeks =
            s.strip_prefix("every_").and_then(|r| r.strip_suffix("_weeks")).or_else(|| s.strip_prefix("weeks:"));
        match (s, weeks) {
            ("one_off" | "one-off", _) => Ok(Cadence::OneOff),
            ("monthly", _) => Ok(Cadence::Monthly),
            ("quarterly", _) => Ok(Cadence::Quarterly),
            (_, Some(n)) => match n.parse::<u32>() {
                Ok(n) if (1..=52).contains(&n) => Ok(Cadence::Weeks(n)),
                _ => Err(FieldError::new(field, "every_N_weeks needs N from 1 to 52")),
            },
            _ => Err(FieldError::new(
                field,
                format!("unknown cadence {s:?}; expected one_off, monthly, quarterly or every_N_weeks"),
            )),
        }
    }

    /// The opening date after `opens_on`, or `None` for a one-off survey.
    pub fn next_after(self, opens_on: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
        match self {
            Cadence::OneOff => None,
            Cadence::Monthly => opens_on.checked_add_months(chrono::Months::new(1)),
            Cadence::Quarterly => opens_on.checked_add_months(chrono::Months::new(3)),
            Cadence::Weeks(n) => opens_on.checked_add_signed(chrono::Duration::weeks(n as i64)),
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::OneOff => f.write_str("one_off"),
            Cadence::Monthly => f.write_str("monthly"),
            Cadence::Quarterly => f.write_str("quarterly"),
            Cadence::Weeks(n) => write!(f, "every_{n}_weeks"),
        }
    }
}

impl std::str::FromStr for Cadence {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, FieldError> {
        Cadence::parse("cadence", s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cadence_reads_back_from_its_text() {
        for c in [Cadence::OneOff, Cadence::Monthly, Cadence::Quarterly, Cadence::Weeks(1), Cadence::Weeks(52)] {
            assert_eq!(c.to_string().parse::<Cadence>().unwrap(), c);
        }
        assert!("every_0_weeks".parse::<Cadence>().is_err());
        assert!("yearly".parse::<Cadence>().is_err());
    }
}
