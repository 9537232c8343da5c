#!/usr/bin/env python3
# A fake /proc of 10,101 processes for tools/proc-cache-memory/measure.cs: init, 100 supervisors, 100 workers each
# (argv of 8 arguments, a cgroup, an exe link, a network namespace link).
import os, sys
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
open(f"{root}/uptime", "w").write("1000.00 1900.00\n")
exe = f"{root}/real-binary"; open(exe, "w").write("x")
def proc(pid, name, ppid, start, argv):
    d = f"{root}/{pid}"; os.makedirs(f"{d}/ns", exist_ok=True)
    open(f"{d}/stat", "w").write(f"{pid} ({name}) S {ppid} {pid} {pid} 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 {start} 5877760 200 18446744073709551615\n")
    open(f"{d}/status", "w").write(f"Name:\t{name}\nUid:\t0\t0\t0\t0\n")
    open(f"{d}/cmdline", "wb").write(("\0".join(argv) + "\0").encode())
    open(f"{d}/cgroup", "w").write("0::/system.slice/worker@%d.service\n" % (pid % 50))
    if not os.path.islink(f"{d}/exe"): os.symlink(exe, f"{d}/exe")
    if not os.path.islink(f"{d}/ns/net"): os.symlink("net:[4026531840]", f"{d}/ns/net")
proc(1, "systemd", 0, 1, ["/sbin/init", "splash"])
for p in range(100):  # 100 supervisors, each with 100 workers: 10,100 processes
    proc(2 + p, "supervisor", 1, 10 + p, ["/usr/bin/python3", "/opt/app/supervisor.py", "--workers", "100", "--config", "/etc/app/supervisor.toml"])
    for w in range(100):
        pid = 1000 + p * 100 + w
        proc(pid, "worker", 2 + p, 1000 + pid, ["/usr/bin/python3", "/opt/app/worker.py", "--queue", f"jobs-{p}", "--id", str(w), "--log-level", "info"])
