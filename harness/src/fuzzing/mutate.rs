//! A small byte mutator for `synack fuzz` (campaigns without libFuzzer, e.g.
//! against the lab kernel, where coverage feedback from the target is not
//! available anyway).

/// Deterministic mutations of corpus inputs.
#[derive(Clone, Debug)]
pub struct Mutator {
    state: u64,
}

impl Mutator {
    /// A mutator whose choices follow `seed`.
    pub fn new(seed: u64) -> Mutator {
        Mutator {
            state: crate::run::runner::mix(seed) | 1,
        }
    }

    /// The next pseudo-random number (xorshift64*).
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// One to four mutations of a random corpus input: byte flips, random
    /// bytes, inserts, deletes, splices with another input. An empty corpus
    /// gives random bytes.
    pub fn mutate(&mut self, corpus: &[Vec<u8>]) -> Vec<u8> {
        let mut data = match corpus.len() {
            0 => Vec::new(),
            n => corpus[self.below(n)].clone(),
        };
        for _ in 0..1 + self.below(4) {
            let len = data.len();
            match self.below(6) {
                0 if len > 0 => {
                    let i = self.below(len);
                    data[i] ^= 1 << self.below(8);
                }
                1 if len > 0 => {
                    let i = self.below(len);
                    data[i] = self.next_u64() as u8;
                }
                2 => {
                    let i = self.below(len + 1);
                    let n = 1 + self.below(16);
                    let bytes: Vec<u8> = (0..n).map(|_| self.next_u64() as u8).collect();
                    data.splice(i..i, bytes);
                }
                3 if len > 2 => {
                    let i = self.below(len);
                    let n = 1 + self.below((len - i).min(32));
                    data.drain(i..(i + n).min(len));
                }
                4 if !corpus.is_empty() => {
                    let other = &corpus[self.below(corpus.len())];
                    let cut = self.below(len + 1);
                    let from = self.below(other.len() + 1);
                    data.truncate(cut);
                    data.extend_from_slice(&other[from..]);
                }
                _ => {
                    let n = 1 + self.below(8);
                    data.extend((0..n).map(|_| self.next_u64() as u8));
                }
            }
        }
        data
    }
}
