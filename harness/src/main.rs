//! The `synack` binary: a trampoline into [`synack::cli`].

fn main() -> std::process::ExitCode {
    synack::cli::main()
}
