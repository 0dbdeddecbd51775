//! `base^e mod n` for 1024-bit RSA moduli in Montgomery form on fixed-size limbs.
//!
//! Signature verification with Steam's exponent (17) is seven 16-limb products here, with no
//! allocation and no division; on `num-bigint` each step ended in a long division. Only public data
//! goes through this (signatures and public keys), so it does not need to run in constant time.

use num_bigint::BigUint;

/// 64-bit limbs in 1,024 bits.
const LIMBS: usize = 16;
/// Bytes in 1,024 bits.
pub const BYTES: usize = LIMBS * 8;

/// Little-endian limbs.
type Limbs = [u64; LIMBS];

/// An odd modulus of at most 1,024 bits, with its Montgomery constants.
#[derive(Clone, PartialEq, Eq)]
pub struct Modulus {
    n: Limbs,
    /// `-n⁻¹ mod 2⁶⁴`.
    n_inv: u64,
    /// `R² mod n`, with `R = 2¹⁰²⁴`: multiplying by it moves a number into Montgomery form.
    r2: Limbs,
}

impl Modulus {
    /// `None` if `n` is even, zero or longer than 1,024 bits.
    pub fn new(n: &BigUint) -> Option<Self> {
        if n.bits() > (BYTES * 8) as u64 || !n.bit(0) {
            return None;
        }
        let limbs = to_limbs(&n.to_bytes_be())?;
        // Newton's iteration doubles the correct low bits each round; n·n ≡ 1 (mod 8) gives three.
        let mut inv = limbs[0];
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(limbs[0].wrapping_mul(inv)));
        }
        let r2 = (BigUint::from(1u8) << (2 * BYTES * 8)) % n;
        Some(Modulus {
            n: limbs,
            n_inv: inv.wrapping_neg(),
            r2: to_limbs(&r2.to_bytes_be())?,
        })
    }

    /// `base^exponent mod n` as 128 big-endian bytes; `None` if `base ≥ n` or the exponent is zero.
    pub fn pow(&self, base: &[u8; BYTES], exponent: &BigUint) -> Option<[u8; BYTES]> {
        let base = to_limbs(base)?;
        if !less_than(&base, &self.n) || exponent.bits() == 0 {
            return None;
        }
        let base_m = self.mul(&base, &self.r2);
        let mut acc = base_m;
        for i in (0..exponent.bits() - 1).rev() {
            acc = self.mul(&acc, &acc);
            if exponent.bit(i) {
                acc = self.mul(&acc, &base_m);
            }
        }
        let mut one = [0u64; LIMBS];
        one[0] = 1;
        Some(to_bytes(&self.mul(&acc, &one)))
    }

    /// Montgomery product `a·b·R⁻¹ mod n` (CIOS), for `a, b < n`.
    fn mul(&self, a: &Limbs, b: &Limbs) -> Limbs {
        let mut t = [0u64; LIMBS + 2];
        for &bi in b {
            let mut carry = 0u64;
            for j in 0..LIMBS {
                let sum = t[j] as u128 + a[j] as u128 * bi as u128 + carry as u128;
                t[j] = sum as u64;
                carry = (sum >> 64) as u64;
            }
            let sum = t[LIMBS] as u128 + carry as u128;
            t[LIMBS] = sum as u64;
            t[LIMBS + 1] = (sum >> 64) as u64;

            let m = t[0].wrapping_mul(self.n_inv);
            let sum = t[0] as u128 + m as u128 * self.n[0] as u128;
            let mut carry = (sum >> 64) as u64;
            for j in 1..LIMBS {
                let sum = t[j] as u128 + m as u128 * self.n[j] as u128 + carry as u128;
                t[j - 1] = sum as u64;
                carry = (sum >> 64) as u64;
            }
            let sum = t[LIMBS] as u128 + carry as u128;
            t[LIMBS - 1] = sum as u64;
            t[LIMBS] = t[LIMBS + 1] + (sum >> 64) as u64;
        }
        let mut out: Limbs = t[..LIMBS].try_into().expect("LIMBS limbs");
        if t[LIMBS] != 0 || !less_than(&out, &self.n) {
            let mut borrow = false;
            for (o, n) in out.iter_mut().zip(&self.n) {
                let (d, b1) = o.overflowing_sub(*n);
                let (d, b2) = d.overflowing_sub(borrow as u64);
                *o = d;
                borrow = b1 || b2;
            }
        }
        out
    }
}

/// Big-endian bytes (at most 128) to limbs.
fn to_limbs(bytes: &[u8]) -> Option<Limbs> {
    if bytes.len() > BYTES {
        return None;
    }
    let mut padded = [0u8; BYTES];
    padded[BYTES - bytes.len()..].copy_from_slice(bytes);
    let mut limbs = [0u64; LIMBS];
    for (i, chunk) in padded.rchunks_exact(8).enumerate() {
        limbs[i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
    }
    Some(limbs)
}

fn to_bytes(limbs: &Limbs) -> [u8; BYTES] {
    let mut out = [0u8; BYTES];
    for (i, chunk) in out.rchunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&limbs[i].to_be_bytes());
    }
    out
}

fn less_than(a: &Limbs, b: &Limbs) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;

    /// The moduli of Valve's key and the simulation key.
    fn moduli() -> [BigUint; 2] {
        [
            include_str!("../keys/valve-public-key.pem"),
            include_str!("../keys/simulation-public-key.pem"),
        ]
        .map(|pem| {
            let key = rsa::RsaPublicKey::from_public_key_pem(pem).expect("embedded key");
            BigUint::from_bytes_be(&key.n().to_bytes_be())
        })
    }

    /// `b` as 128 big-endian bytes.
    fn padded(b: &BigUint) -> [u8; BYTES] {
        let raw = b.to_bytes_be();
        let mut bytes = [0u8; BYTES];
        bytes[BYTES - raw.len()..].copy_from_slice(&raw);
        bytes
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Agrees with num-bigint's `modpow` on both embedded keys, for exponents 17 and 65537 and
        /// random bases below the modulus.
        #[test]
        fn pow_matches_num_bigint(base in proptest::collection::vec(any::<u8>(), BYTES), e in prop_oneof![Just(17u32), Just(65537u32), 3u32..1000]) {
            for n in moduli() {
                let modulus = Modulus::new(&n).expect("RSA moduli are odd");
                let b = BigUint::from_bytes_be(&base) % &n;
                let e = BigUint::from(e);
                let expected = b.modpow(&e, &n);
                let got = modulus.pow(&padded(&b), &e).expect("base below the modulus");
                prop_assert_eq!(BigUint::from_bytes_be(&got), expected);
            }
        }
    }

    #[test]
    fn refuses_what_it_cannot_compute() {
        assert!(Modulus::new(&BigUint::from(10u32)).is_none(), "even");
        assert!(
            Modulus::new(&(BigUint::from(1u8) << 1024u32)).is_none(),
            "too long"
        );
        let [n, _] = moduli();
        let modulus = Modulus::new(&n).unwrap();
        assert!(
            modulus.pow(&[0xff; BYTES], &BigUint::from(17u32)).is_none(),
            "base ≥ n"
        );
        assert!(
            modulus.pow(&[1; BYTES], &BigUint::from(0u32)).is_none(),
            "zero exponent"
        );
        // Edge bases: 0, 1 and n - 1.
        let e = BigUint::from(17u32);
        let check = |b: BigUint| {
            let mut bytes = [0u8; BYTES];
            let raw = b.to_bytes_be();
            bytes[BYTES - raw.len()..].copy_from_slice(&raw);
            assert_eq!(
                BigUint::from_bytes_be(&modulus.pow(&bytes, &e).unwrap()),
                b.modpow(&e, &n)
            );
        };
        check(BigUint::from(0u8));
        check(BigUint::from(1u8));
        check(&n - 1u8);
    }
}
