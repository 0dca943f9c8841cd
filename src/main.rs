use std::process::ExitCode;

// glibc's allocator kept each freed argon2 block (19 MiB) in the arena of the thread that hashed,
// one arena per thread of the blocking pool: hundreds of megabytes under a wave of sign-ins.
// mimalloc gives large blocks back to the system soon after they are freed, and is faster for
// the many small allocations of every request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking work is password hashing (bounded by the cores) and name lookups: tokio's
        // default of 512 threads would only ever be reached by a bug, each thread with its own
        // stack and allocator heap.
        .max_blocking_threads(32)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(carelink::cli::run()),
        Err(e) => {
            eprintln!("carelink: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}
