/**
 * Zod 4 probes for eval (`new Function('')`) to compile fast parsers. The console's CSP has no
 * 'unsafe-eval', so the probe fails — and Chromium reports it as a CSP violation even though zod
 * catches the error. Jitless mode skips the probe (and parses the same, interpreted). Imported first
 * by main.tsx, before any schema parses.
 */
import { config } from 'zod';

config({ jitless: true });
