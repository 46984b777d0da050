// std::process::Command: status(), output(), and NotFound for a missing program (std only).
use std::io::ErrorKind;
use std::process::Command;

fn main() {
    let status = Command::new("sh").args(["-c", "exit 5"]).status().expect("sh");
    println!("status: {:?}", status.code());

    let out = Command::new("echo").arg("hi").output().expect("echo");
    println!("output: {:?} {:?}", String::from_utf8_lossy(&out.stdout), out.status.code());

    let out = Command::new("sh").args(["-c", "echo out; echo err >&2; exit 2"]).output().expect("sh");
    println!(
        "output: {:?} {:?} {:?}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        out.status.code()
    );

    for program in ["/nonexistent/program", "no-such-program-xyz"] {
        match Command::new(program).status() {
            Err(e) if e.kind() == ErrorKind::NotFound => println!("{program}: NotFound"),
            other => println!("{program}: unexpected {other:?}"),
        }
    }
}
