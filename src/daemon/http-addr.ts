// Addresses of the daemon's HTTP servers (metrics, dashboard): which are loopback, and how a
// host is written with its port. Pure.
import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export const isLoopback = (host: string): boolean => {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
};

/** `127.0.0.1:9464`, `[::1]:9464`: an IPv6 host in brackets, as URLs and Host headers write it. */
export const hostPort = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;
