//! tcpdump-style one-line display. (PLACEHOLDER: being written; see issue 2.)
