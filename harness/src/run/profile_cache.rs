//! Oracle profiles by name, built once per thread: [`Profile::by_name`]
//! builds every profile to find one, and a run looks one up per case
//! (`synack bench` measured it at about 1 % of a short case).

use crate::oracle::Profile;
use std::cell::RefCell;

thread_local! {
    static PROFILES: RefCell<Vec<Profile>> = const { RefCell::new(Vec::new()) };
}

/// The profile `name` selects (as [`Profile::by_name`]), a copy of this
/// thread's kept one.
pub(crate) fn by_name(name: &str) -> Option<Profile> {
    PROFILES.with(|kept| {
        let mut kept = kept.borrow_mut();
        if kept.is_empty() {
            *kept = Profile::all();
        }
        kept.iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .cloned()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kept_profiles_are_the_ones_by_name_builds() {
        for name in ["rfc9293", "LINUX", "smoltcp", "no-such-profile"] {
            let (a, b) = (super::by_name(name), crate::oracle::Profile::by_name(name));
            assert_eq!(a, b, "{name}");
        }
    }
}
