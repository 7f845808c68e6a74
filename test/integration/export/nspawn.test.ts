// The boot test of SPEC §13's systemd export: a real systemd in a container
// (debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm ROOT, then
// systemd-nspawn --keep-unit --register=no -D ROOT --boot) starting the exported target, a
// socket-mode app receiving LISTEN_FDS from systemd and a notify app reaching `active`.
// Not written yet: what runs today is `systemd-analyze verify` on every unit (engines.test.ts).
import { it } from 'vitest';

it.todo('boots systemd in nspawn and starts the exported target (not written yet: README, Export, how to run it by hand)');
