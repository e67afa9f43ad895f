"""A real systemd for the service tests.

The test host has no systemd as PID 1 (and CI machines need not have one), so
the Win32_Service tests boot Debian's own systemd as PID 1 of fresh PID,
mount, UTS and cgroup namespaces, with a private /run (a temporary
directory bound over /run inside the namespace). systemd starts the stock
dbus.service there, so the system bus socket appears at
<workdir>/run/dbus/system_bus_socket, and wsmand, outside the namespaces, is
pointed at it with DBUS_SYSTEM_BUS_ADDRESS. Everything wsmand sees is the
real thing: systemd's D-Bus API and its authorization (root, else polkit,
with the test's own rules), jobs, unit files and their states; the host's
own unit files are visible as on the host.

Guards keep the host as it was: the test units live in the private
/run/systemd/system; sysinit.target, basic.target and tmpfiles are masked,
so none of the host's early boot runs again; /tmp, /var/tmp,
/etc/machine-id and polkit's rules are private to the namespace; systemd's
cgroups are a subtree of our own, removed by close().

Needs root (namespaces, cgroups) and /lib/systemd/systemd.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

SYSTEMD = "/lib/systemd/systemd"
TARGET = "wsmand-test.target"
POLKIT_RULES = "/etc/polkit-1/rules.d"
GUARD_MASKS = ("sysinit.target", "basic.target",
               "systemd-tmpfiles-setup.service",
               "systemd-tmpfiles-setup-dev.service",
               "systemd-tmpfiles-clean.service")


def available():
    """Why a private systemd cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "booting systemd in namespaces needs root"
    if not os.path.exists(SYSTEMD):
        return f"{SYSTEMD} is not installed"
    probe = subprocess.run(
        ["unshare", "--cgroup", "--pid", "--fork", "--mount", "--uts",
         "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return "this machine cannot make namespaces: " + probe.stderr.strip()
    return None


def _cgroup_layout():
    """("unified" or "hybrid", [this process's cgroup directory in every
    mounted hierarchy])."""
    mounts = {}  # hierarchy ("" for cgroup2, else a v1 option) -> mount
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            fstype, _, options = right.split()[:3]
            point = left.split()[4]
            if fstype == "cgroup2":
                mounts.setdefault("", point)
            elif fstype == "cgroup":
                for option in options.split(","):
                    mounts.setdefault(option, point)
    ours = []
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            keys = controllers.split(",") if controllers else [""]
            point = next((mounts[k] for k in keys if k in mounts), None)
            if point:
                ours.append(os.path.join(point, path.lstrip("/")))
    layout = "unified" if mounts.get("") == "/sys/fs/cgroup" else "hybrid"
    return layout, ours


class PrivateSystemd:
    """A running systemd with `units` (name -> unit file text) in its
    runtime unit directory; `enable` are wanted by the boot target (unit
    file state enabled-runtime, started at boot), `mask` are masked."""

    def __init__(self, units, enable=(), mask=(), polkit_rules="",
                 boot_timeout=30):
        self.workdir = tempfile.mkdtemp(prefix="wsmand-systemd-")
        os.chmod(self.workdir, 0o755)  # users reach the bus socket
        self.run_dir = os.path.join(self.workdir, "run")
        unit_dir = os.path.join(self.run_dir, "systemd", "system")
        wants = os.path.join(unit_dir, TARGET + ".wants")
        os.makedirs(wants)
        os.makedirs(os.path.join(self.run_dir, "dbus"))
        os.chmod(self.run_dir, 0o755)
        for name, text in units.items():
            with open(os.path.join(unit_dir, name), "w") as f:
                f.write(text)
        for name in enable:
            os.symlink(os.path.join("..", name), os.path.join(wants, name))
        # Only the test target's own closure may start: the host's early
        # boot (tmpfiles cleaning /tmp, sysctl, modules, udev) must not run
        # again, so sysinit.target and basic.target, which every unit with
        # default dependencies requires, are masked with them.
        for name in tuple(mask) + GUARD_MASKS:
            os.symlink("/dev/null", os.path.join(unit_dir, name))
        with open(os.path.join(unit_dir, TARGET), "w") as f:
            f.write("[Unit]\nDescription=wsmand test boot\n"
                    "DefaultDependencies=no\n"
                    "Wants=dbus.socket dbus.service\n")
        # The stock bus and polkit (which systemd asks whether a user other
        # than root may start or stop a unit), without the early-boot units
        # of sysinit.target.
        for unit in ("dbus.service", "dbus.socket", "polkit.service"):
            drop_in = os.path.join(unit_dir, unit + ".d")
            os.makedirs(drop_in)
            with open(os.path.join(drop_in, "wsmand-test.conf"), "w") as f:
                f.write("[Unit]\nDefaultDependencies=no\n")
        self.address = ("unix:path=" +
                        os.path.join(self.run_dir, "dbus", "system_bus_socket"))
        self.console = os.path.join(self.workdir, "console.log")
        open(self.console, "w").close()

        # A cgroup of our own in every hierarchy, made the root of a cgroup
        # namespace in which the cgroup file systems are mounted afresh, so
        # systemd sees only its subtree and its slices and scopes go away
        # with it. (The host's mounts would show it the host's root, and
        # systemd would take every process there for its own.)
        layout, parents = _cgroup_layout()
        self.cgroups = []
        for parent in parents:
            path = os.path.join(parent, os.path.basename(self.workdir))
            os.mkdir(path)
            self.cgroups.append(path)
            # A new v1 cpuset admits no task until it has cpus and mems.
            for knob in ("cpuset.cpus", "cpuset.mems"):
                if os.path.exists(os.path.join(parent, knob)):
                    with open(os.path.join(parent, knob)) as f:
                        value = f.read()
                    with open(os.path.join(path, knob), "w") as f:
                        f.write(value)
        if layout == "unified":
            mounts = "mount -t cgroup2 cgroup2 /sys/fs/cgroup && "
        else:
            mounts = ("mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup && "
                      "mkdir /sys/fs/cgroup/systemd /sys/fs/cgroup/unified && "
                      "mount -t cgroup -o none,name=systemd cgroup "
                      "/sys/fs/cgroup/systemd && "
                      "mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified && ")
        # Private /run (the bus socket appears in run_dir), /tmp and
        # /var/tmp, and a console that is a file.
        os.makedirs(os.path.join(self.workdir, "tmp"), mode=0o1777)
        os.chmod(os.path.join(self.workdir, "tmp"), 0o1777)
        # polkit's rules: only `polkit_rules`, none of the host's.
        rules = os.path.join(self.workdir, "polkit-rules.d")
        os.makedirs(rules, mode=0o755)
        with open(os.path.join(rules, "50-wsmand-test.rules"), "w") as f:
            f.write(polkit_rules)
        if os.path.isdir(POLKIT_RULES):
            mounts += f"mount --bind {rules} {POLKIT_RULES} && "
        # A machine id of its own: systemd would otherwise write one into
        # the host's /etc/machine-id when that is empty.
        machine_id = os.path.join(self.workdir, "machine-id")
        with open(machine_id, "w") as f:
            f.write(uuid.uuid4().hex + "\n")
        if os.path.isfile("/etc/machine-id"):
            mounts += f"mount --bind {machine_id} /etc/machine-id && "
        inner = (f"{mounts}mount --bind {self.run_dir} /run && "
                 f"mount --bind {self.console} /dev/console && "
                 f"mount --bind {self.workdir}/tmp /var/tmp && "
                 f"mount --bind {self.workdir}/tmp /tmp && "
                 f"exec env container=wsmand-test {SYSTEMD} --system "
                 f"--unit={TARGET} --log-target=console --log-level=info "
                 "--show-status=no")
        move = "".join(f"echo $$ > {p}/cgroup.procs && " for p in self.cgroups)
        outer = (f"{move}exec unshare --cgroup --pid --fork --kill-child "
                 "--mount --uts --mount-proc --propagation private "
                 f"sh -c '{inner}'")
        self.log_path = os.path.join(self.workdir, "unshare.log")
        self.log_file = open(self.log_path, "w")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DBUS_", "NOTIFY_", "LISTEN_"))}
        self.proc = subprocess.Popen(["sh", "-c", outer], env=env,
                                     stdout=self.log_file,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            self._wait_running(boot_timeout)
        except Exception:
            self.close()
            raise

    def log(self):
        out = []
        for path in (self.log_path, self.console):
            try:
                with open(path, errors="replace") as f:
                    out.append(f.read())
            except OSError:
                pass
        return "\n".join(out)

    def busctl(self, *args, check=True):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        proc = subprocess.run(["busctl", "--system", *args], env=env,
                              capture_output=True, text=True, timeout=30)
        if check and proc.returncode != 0:
            raise RuntimeError(f"busctl {args}: {proc.stderr}")
        return proc

    def manager(self, name):
        """A property of org.freedesktop.systemd1.Manager, as busctl
        prints it ('s "running"')."""
        return self.busctl("get-property", "org.freedesktop.systemd1",
                           "/org/freedesktop/systemd1",
                           "org.freedesktop.systemd1.Manager", name,
                           check=False).stdout.strip()

    def unit_property(self, unit, interface, name):
        """A property of `unit` as a Python value (str or int)."""
        path = self.busctl("call", "org.freedesktop.systemd1",
                           "/org/freedesktop/systemd1",
                           "org.freedesktop.systemd1.Manager", "LoadUnit",
                           "s", unit).stdout.split('"')[1]
        out = self.busctl("get-property", "org.freedesktop.systemd1", path,
                          "org.freedesktop.systemd1." + interface,
                          name).stdout.strip()
        sig, value = out.split(" ", 1)
        return value.strip('"') if sig == "s" else int(value)

    def active_state(self, unit):
        return self.unit_property(unit, "Unit", "ActiveState")

    def wait_state(self, unit, state, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.active_state(unit) == state:
                return True
            time.sleep(0.05)
        return False

    def start(self, unit):
        self.busctl("call", "org.freedesktop.systemd1",
                    "/org/freedesktop/systemd1",
                    "org.freedesktop.systemd1.Manager", "StartUnit", "ss",
                    unit, "replace")

    def outer_pid(self, inner_pid):
        """The pid, in our PID namespace, of the process systemd knows as
        `inner_pid` (its own namespace's numbering)."""
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status") as f:
                    status = f.read()
            except OSError:
                continue
            m = re.search(r"^NSpid:\s+(.*)$", status, re.M)
            if not m:
                continue
            ids = m.group(1).split()
            if len(ids) > 1 and ids[-1] == str(inner_pid) and \
                    self._in_our_namespaces(int(entry)):
                return int(entry)
        return None

    def _in_our_namespaces(self, pid):
        try:
            return os.readlink(f"/proc/{pid}/ns/pid") == self.pid_ns
        except OSError:
            return False

    def _wait_running(self, seconds):
        deadline = time.monotonic() + seconds
        state = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("systemd exited:\n" + self.log())
            state = self.manager("SystemState")
            if state in ('s "running"', 's "degraded"'):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"systemd did not boot (state {state!r}):\n"
                               + self.log())
        init = self.outer_pid_of_init()
        self.pid_ns = os.readlink(f"/proc/{init}/ns/pid")

    def outer_pid_of_init(self):
        """Our pid of the namespace's PID 1 (systemd): the child of
        unshare."""
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") \
                as f:
            return int(f.read().split()[0])

    def close(self):
        if self.proc.poll() is None:
            # unshare dies; --kill-child takes systemd, and the kernel takes
            # every process of its PID namespace with it.
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log_file.close()
        deadline = time.monotonic() + 10
        for root in self.cgroups:
            while os.path.isdir(root) and time.monotonic() < deadline:
                for d, _, _ in sorted(os.walk(root), key=lambda e: -len(e[0])):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass
                if os.path.isdir(root):
                    time.sleep(0.05)
        shutil.rmtree(self.workdir, ignore_errors=True)
