use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    carelink::cli::run().await
}
