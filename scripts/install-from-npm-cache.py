#!/usr/bin/env python3
"""Lays out node_modules from package-lock.json and npm's local cache, one `tar` per package.

For a machine whose processes may use only about a second of CPU each (see scripts/ci-cpu-limited.sh),
where `npm ci` itself is killed. It does what `npm ci` does for this project's lockfile and no more:
every locked package of this platform is unpacked from the cache by its integrity hash, workspaces
are linked, and `.bin` entries are made. Lifecycle scripts are not run (esbuild's only checks its
binary; the native addon is built by the caller). A package missing from the cache is an error.
"""
import base64
import json
import os
import platform
import subprocess
import sys

CACHE = os.path.join(os.environ.get('npm_config_cache', os.path.expanduser('~/.npm')), '_cacache')
NODE_OS = {'Linux': 'linux'}.get(platform.system(), platform.system().lower())
NODE_CPU = {'x86_64': 'x64', 'aarch64': 'arm64'}.get(platform.machine(), platform.machine())


def cached_tarball(integrity):
    algorithm, digest = integrity.split()[0].split('-', 1)
    hexdigest = base64.b64decode(digest).hex()
    return os.path.join(CACHE, 'content-v2', algorithm, hexdigest[:2], hexdigest[2:4], hexdigest[4:])


def fits_platform(entry):
    def allowed(values, ours):
        if not values:
            return True
        allow = [v for v in values if not v.startswith('!')]
        return ours not in [v[1:] for v in values if v.startswith('!')] and (not allow or ours in allow)
    return allowed(entry.get('os'), NODE_OS) and allowed(entry.get('cpu'), NODE_CPU)


def link_bins(root, where, entry):
    bins = entry.get('bin') or {}
    if isinstance(bins, str):
        bins = {os.path.basename(where): bins}
    bin_dir = os.path.join(root, where.rsplit('node_modules/', 1)[0], 'node_modules', '.bin')
    os.makedirs(bin_dir, exist_ok=True)
    for name, rel in bins.items():
        target = os.path.join(root, where, rel)
        link = os.path.join(bin_dir, name)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(os.path.relpath(target, bin_dir), link)
        if os.path.exists(target):
            os.chmod(target, os.stat(target).st_mode | 0o111)


def main(root):
    lock = json.load(open(os.path.join(root, 'package-lock.json')))
    packages = lock['packages']
    missing = []
    for where, entry in packages.items():
        if not where.startswith('node_modules/'):
            continue
        dest = os.path.join(root, where)
        if entry.get('link'):
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.lexists(dest):
                os.unlink(dest)
            os.symlink(os.path.relpath(os.path.join(root, entry['resolved']), os.path.dirname(dest)), dest)
            continue
        if not fits_platform(entry):
            continue
        tarball = cached_tarball(entry['integrity'])
        if not os.path.exists(tarball):
            missing.append(where)
            continue
        os.makedirs(dest, exist_ok=True)
        subprocess.run(['tar', 'xzf', tarball, '-C', dest, '--strip-components=1', '--no-same-owner'], check=True)
    if missing:
        sys.exit('install-from-npm-cache: not in npm\'s cache (%s): %s' % (CACHE, ', '.join(missing)))
    for where, entry in packages.items():
        if where.startswith('node_modules/') and not entry.get('link') and fits_platform(entry):
            link_bins(root, where, entry)
    # Workspaces' own bins (bin/shadow.js) are linked by their package.json, as npm does.
    for where, entry in packages.items():
        if where and not where.startswith('node_modules/') and entry.get('bin'):
            link_bins(root, 'node_modules/' + entry['name'], entry)


if __name__ == '__main__':
    main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.'))
