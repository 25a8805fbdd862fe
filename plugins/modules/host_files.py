#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fromscratch.kubernetes contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_files
short_description: Converge a role's folders and small files in one run
version_added: 0.1.0
description:
  - Creates the given folders (with their missing parents, like C(mkdir -p)) and sets their mode,
    owner and group; then writes the given files (rendered configuration, systemd units,
    kubeconfigs) whose bytes, mode, owner or group differ. One module run replaces a
    M(ansible.builtin.file) run per folder and a stat and copy run per file.
  - A file's wanted bytes are its O(files[].content) encoded as UTF-8, exactly; no newline is added
    or removed. A file whose bytes differ is written atomically - a temporary file in the same
    folder is written, given its owner, group and mode, synced to disk and renamed over the file -
    so a reader never sees half a file. A file whose bytes match but whose mode, owner or group
    differ is only given them in place.
  - Folders are handled first, in order, then files, in order. Before anything changes, every mode,
    owner and group is checked, and every path - a folder path that is not a folder, a file path
    that is a folder, a file whose folder neither exists nor is in O(directories) - fails with a
    sentence naming it.
  - Uses only the Python standard library on the managed host.
author:
  - fromscratch.kubernetes developers (@fromscratch)
options:
  directories:
    description:
      - Folders to create (parents too) and give a mode, owner and group. Parents that must be
        created get the same mode, owner and group as the entry.
      - A folder path that is a symlink to a folder counts as that folder.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the folder.
        type: path
        required: true
      mode:
        description:
          - Mode as four octal digits in a string, such as C("0750"). Anything else is refused,
            so an unquoted C(0750), which YAML reads as the number 488, does not pass.
        type: str
        default: '0755'
      owner:
        description: User name (or number) that owns the folder.
        type: str
        default: root
      group:
        description: Group name (or number) of the folder.
        type: str
        default: root
  files:
    description:
      - Files to write. Their folder must exist or be in O(directories).
      - A file path that is a symlink is replaced by a regular file; what the link pointed to is
        left as it was.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the file.
        type: path
        required: true
      content:
        description:
          - The file's text, written as UTF-8 exactly as given.
          - Never logged nor shown in the module's arguments, since it may hold keys or tokens.
        type: str
        required: true
      mode:
        description: Mode as four octal digits in a string, such as C("0600").
        type: str
        default: '0644'
      owner:
        description: User name (or number) that owns the file.
        type: str
        default: root
      group:
        description: Group name (or number) of the file.
        type: str
        default: root
attributes:
  check_mode:
    description: Reports what would change and changes nothing.
    support: full
  diff_mode:
    description: No diff is shown, since the contents may be secret; RV(changes) says what differs.
    support: none
notes:
  - At least one of O(directories) and O(files) must be non-empty.
  - Ansible masks a file's content wherever it occurs in the results of the run, so a content with no
    line break that occurs inside a path or message (a single word such as C(x)) masks that text too.
  - New files get the SELinux context their folder gives new files; no context is set.
seealso:
  - module: ansible.builtin.file
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write the kube-apiserver configuration and unit
  fromscratch.kubernetes.host_files:
    directories:
      - {path: /etc/kubernetes, mode: "0755"}
      - {path: /var/log/kubernetes, mode: "0750"}
    files:
      - path: /etc/kubernetes/audit-policy.yaml
        content: "{{ lookup('ansible.builtin.template', 'audit-policy.yaml.j2') }}"
      - path: /etc/systemd/system/kube-apiserver.service
        content: "{{ lookup('ansible.builtin.template', 'kube-apiserver.service.j2') }}"
  register: apiserver_files

- name: Restart kube-apiserver when its unit or configuration changed
  ansible.builtin.systemd_service:
    name: kube-apiserver
    state: restarted
    daemon_reload: "{{ '/etc/systemd/system/kube-apiserver.service' in apiserver_files.changed_files }}"
  when: apiserver_files.changed_files | length > 0
"""

RETURN = r"""
changed_paths:
  description: The folders and files created or modified (or that would be, in check mode), in order, each once.
  returned: always
  type: list
  elements: str
  sample: [/etc/kubernetes, /etc/kubernetes/audit-policy.yaml]
changed_directories:
  description: The folders among RV(changed_paths), including the parents created.
  returned: always
  type: list
  elements: str
  sample: [/etc/kubernetes]
changed_files:
  description: The files among RV(changed_paths).
  returned: always
  type: list
  elements: str
  sample: [/etc/kubernetes/audit-policy.yaml]
changes:
  description: Each change made (or that would be, in check mode), in order, with what differed.
  returned: always
  type: list
  elements: dict
  contains:
    path: {description: The folder or file., type: str, sample: /etc/kubernetes/audit-policy.yaml}
    type: {description: C(directory) or C(file)., type: str, sample: file}
    differs:
      description: "What differed: C(missing), C(symlink), C(content), C(mode), C(owner), C(group)."
      type: list
      elements: str
      sample: [content]
msg:
  description: Why the run failed, as a sentence naming the path.
  returned: failure
  type: str
  sample: "Cannot write /etc/kubernetes/audit-policy.yaml: its folder /etc/kubernetes does not exist; create it first (list it under directories)."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fromscratch.kubernetes.plugins.module_utils.host_files import HostFiles


def main():
    module = AnsibleModule(
        argument_spec={
            "directories": {"type": "list", "elements": "dict", "default": [], "options": {
                "path": {"type": "path", "required": True},
                "mode": {"type": "str", "default": "0755"},
                "owner": {"type": "str", "default": "root"},
                "group": {"type": "str", "default": "root"},
            }},
            "files": {"type": "list", "elements": "dict", "default": [], "options": {
                "path": {"type": "path", "required": True},
                "content": {"type": "str", "required": True, "no_log": True},
                "mode": {"type": "str", "default": "0644"},
                "owner": {"type": "str", "default": "root"},
                "group": {"type": "str", "default": "root"},
            }},
        },
        supports_check_mode=True,
    )
    if not module.params["directories"] and not module.params["files"]:
        module.fail_json(msg="directories and files are both empty: give at least one folder or file.")
    failed, result = HostFiles(module.params["directories"], module.params["files"]).run(module.check_mode)
    if failed:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
