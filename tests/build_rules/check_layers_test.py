#!/usr/bin/env python3
"""scripts/check_layers.py catches planted upward includes (ctest: layering).

Each case builds a small tree in a temporary directory, plants one include
and runs the script on it; the real tree must pass too.
"""
import os
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = os.environ.get("WSMAND_SOURCE_DIR", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPT = os.path.join(SOURCE_DIR, "scripts", "check_layers.py")


def run(root, *extra):
    return subprocess.run([sys.executable, SCRIPT, "--root", root, *extra],
                          capture_output=True, text=True, check=False)


class CheckLayersTest(unittest.TestCase):
    def tree(self, files):
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        for path, text in files.items():
            full = os.path.join(d.name, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
        return d.name

    def assert_refused(self, path, include, why):
        root = self.tree({
            "base/status.h": "#include <string>\n",
            "providers/registry.h": '#include "base/status.h"\n',
            path: f'// planted\n#include "{include}"\n',
        })
        r = run(root)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"{path}:2:", r.stderr)
        self.assertIn(why, r.stderr)

    def test_the_tree_itself_is_clean(self):
        stamp = os.path.join(tempfile.mkdtemp(), "stamp")
        r = run(SOURCE_DIR, "--stamp", stamp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(stamp))

    def test_allowed_includes_pass(self):
        root = self.tree({
            "base/a.h": '#include "base/b.h"\n',
            "providers/host/h.cc": '#include "providers/registry.h"\n'
                                   '#include "base/a.h"\n',
            "engine/cim/e.cc": '#include "soap/request.h"\n'
                               '#include "providers/context.h"\n',
            "engine/winrs/s.cc": '#include "providers/shell/shell_host.h"\n',
            "server/auth/x.cc": '#include "server/http/y.h"\n'
                                '#include "engine/cim/z.h"\n'
                                '#include "certs/c.h"\n',
            "soap/s.cc": "#include <libxml/tree.h>\n",
        })
        r = run(root)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_refused_stamp_is_not_written(self):
        root = self.tree({"base/a.cc": '#include "soap/request.h"\n'})
        stamp = os.path.join(root, "stamp")
        r = run(root, "--stamp", stamp)
        self.assertEqual(r.returncode, 1)
        self.assertFalse(os.path.exists(stamp))

    def test_base_includes_only_base(self):
        self.assert_refused("base/strings.cc", "soap/request.h",
                            'base/ may not include "soap/request.h"')

    def test_soap_does_not_include_providers_engine_or_server(self):
        for inc in ("providers/value.h", "engine/operation.h",
                    "server/config.h", "certs/tls_context.h"):
            self.assert_refused("soap/request.cc", inc,
                                f'soap/ may not include "{inc}"')

    def test_providers_do_not_include_engine_or_server(self):
        self.assert_refused("providers/host/services.cc",
                            "engine/cim/cim_engine.h",
                            'providers/host/ may not include')
        self.assert_refused("providers/context.h", "server/config.h",
                            'providers/ may not include "server/config.h"')
        self.assert_refused("providers/shell/io_loop.cc", "soap/request.h",
                            'providers/shell/ may not include')

    def test_provider_sub_layers_stay_apart(self):
        self.assert_refused("providers/registry.cc",
                            "providers/testing/test_providers.h",
                            'providers/ may not include')
        self.assert_refused("providers/host/run_as.cc",
                            "providers/shell/process.h",
                            'providers/host/ may not include')

    def test_engine_does_not_include_server_and_cim_needs_only_the_mi_api(self):
        self.assert_refused("engine/dispatch.cc", "server/dispatch.h",
                            'engine/ may not include "server/dispatch.h"')
        self.assert_refused("engine/cim/cim_engine.cc",
                            "providers/host/host_providers.h",
                            'engine/cim/ may not include')

    def test_certs_includes_only_base(self):
        self.assert_refused("certs/cert_auth.cc", "server/auth/identity.h",
                            'certs/ may not include')

    def test_an_include_without_a_layer_is_refused(self):
        self.assert_refused("soap/request.cc", "request.h", "names no layer")


if __name__ == "__main__":
    unittest.main()
