//! TCP-MD5 signatures (RFC 2385), which Linux applies per socket and peer
//! address once `TCP_MD5SIG` names the key. A listener takes the key for
//! every IPv4 (or IPv6) peer (`TCP_MD5SIG_EXT` with a /0 prefix), so that
//! segments without the right signature never complete a handshake.

use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

const MAX_KEY_LEN: usize = 80;
const FLAG_PREFIX: u8 = 1;

/// `struct tcp_md5sig` of `linux/tcp.h`.
#[repr(C)]
struct TcpMd5Sig {
    addr: libc::sockaddr_storage,
    flags: u8,
    prefix_len: u8,
    key_len: u16,
    ifindex: libc::c_int,
    key: [u8; MAX_KEY_LEN],
}

/// Signs the socket's segments to and from `peer` (or, with `prefix_len`,
/// every address in that prefix of `peer`'s family) with `key`.
pub fn set_key(socket: &impl AsRawFd, peer: SocketAddr, prefix_len: Option<u8>, key: &[u8]) -> io::Result<()> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a TCP-MD5 key has 1 to 80 bytes",
        ));
    }
    // SAFETY: all-zero bytes are a valid `sockaddr_storage` and key array.
    let mut sig: TcpMd5Sig = unsafe { std::mem::zeroed() };
    match peer {
        SocketAddr::V4(a) => {
            // SAFETY: sockaddr_storage is large and aligned enough for
            // any sockaddr, sockaddr_in included.
            let sin = unsafe { &mut *(&mut sig.addr as *mut libc::sockaddr_storage as *mut libc::sockaddr_in) };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_addr.s_addr = u32::from(*a.ip()).to_be();
        }
        SocketAddr::V6(a) => {
            // SAFETY: as above, for sockaddr_in6.
            let sin6 = unsafe { &mut *(&mut sig.addr as *mut libc::sockaddr_storage as *mut libc::sockaddr_in6) };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_addr.s6_addr = a.ip().octets();
        }
    }
    sig.key_len = key.len() as u16;
    sig.key[..key.len()].copy_from_slice(key);
    let option = match prefix_len {
        Some(len) => {
            sig.flags = FLAG_PREFIX;
            sig.prefix_len = len;
            libc::TCP_MD5SIG_EXT
        }
        None => libc::TCP_MD5SIG,
    };
    // SAFETY: `sig` is a valid `tcp_md5sig` that outlives the call, and
    // the length passed is its size.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            option,
            &sig as *const TcpMd5Sig as *const libc::c_void,
            std::mem::size_of::<TcpMd5Sig>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
