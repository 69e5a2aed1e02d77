//! Transcripts of real targets that the oracle once misread (fuzz stops), each judged per
//! RFC 9293 with the campaign's profile.

mod lwip;
pub(in crate::oracle::tests) mod readme_fuzz;
