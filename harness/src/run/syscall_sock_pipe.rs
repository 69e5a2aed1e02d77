//! `pipe` and `splice` lines (packetdrill's `splice/` scripts): a pipe's
//! two ends named by the script, and octets moved between a socket and a
//! pipe by the kernel.

use super::{flag_names, wrong, Args, R};
use crate::script::ExprKind;
use crate::target::calls::SockCall;

/// `pipe([5, 6]) = 0`.
pub(super) fn pipe(a: &Args<'_>) -> R<SockCall> {
    a.count(1, 1, "pipe([5, 6]) = 0")?;
    let e = a.get(0);
    let ends = match &e.kind {
        ExprKind::Array(v) if v.len() == 2 => match (&v[0].kind, &v[1].kind) {
            (ExprKind::Int(rd), ExprKind::Int(wr)) => Some((*rd, *wr)),
            _ => None,
        },
        _ => None,
    };
    let (rd, wr) = ends.ok_or_else(|| {
        wrong(
            e.span,
            "`pipe` needs the two descriptors it gives: [5, 6]",
            None,
        )
    })?;
    Ok(SockCall::Pipe { rd, wr })
}

/// `splice(4, NULL, 6, NULL, 99, 0) = 99`: the offsets must be NULL (a
/// socket and a pipe have none).
pub(super) fn splice(a: &Args<'_>) -> R<SockCall> {
    let form = "splice(4, NULL, 6, NULL, 99, 0) = 99";
    a.count(6, 6, form)?;
    for i in [1, 3] {
        let e = a.get(i);
        let null = match &e.kind {
            ExprKind::Ident(n) => n == "NULL",
            ExprKind::Int(0) | ExprKind::Ellipsis => true,
            _ => false,
        };
        if !null {
            return Err(wrong(e.span, "`splice` offsets are NULL here", Some(form)));
        }
    }
    let (names, bits) = flag_names(a.get(5));
    let mut flags = bits;
    for n in names {
        flags |= match n {
            "SPLICE_F_MOVE" => 1,
            "SPLICE_F_NONBLOCK" => 2,
            "SPLICE_F_MORE" => 4,
            other => {
                return Err(wrong(
                    a.get(5).span,
                    format!("unknown splice flag `{other}`"),
                    Some("SPLICE_F_MOVE, SPLICE_F_NONBLOCK, SPLICE_F_MORE or 0"),
                ))
            }
        };
    }
    Ok(SockCall::Splice {
        fd_in: a.fd(0)?,
        fd_out: a.fd(2)?,
        len: a.len(4)?,
        flags,
    })
}
