//! FIN-WAIT-1 and FIN-WAIT-2 (RFC 9293 §3.10.4 CLOSE, §3.10.7.4): after the target's FIN.

mod ack_of_queued_fin;
