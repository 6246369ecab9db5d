/**
 * The HostApi's client, webhook and overlay-file methods. Their state lives with the gateway (it
 * needs its sockets); once the gateway runs it attaches its handlers, and until then each method
 * answers that the gateway is off.
 */
import type { HostApi } from '../../../core/host-api.js';

export type GatewayAdminMethod =
  | 'clients.create'
  | 'clients.list'
  | 'clients.revoke'
  | 'clients.stats'
  | 'webhooks.create'
  | 'webhooks.list'
  | 'webhooks.delete'
  | 'overlay.writeFile';

/** The gateway-side handlers of the HostApi's client and webhook methods (params checked by the gateway). */
export type GatewayAdmin = { [K in GatewayAdminMethod]: (params: unknown) => ReturnType<HostApi[K]> };

const gatewayOffResult = {
  ok: false as const,
  error: 'the gateway is not running (start BitBrat with its console server on)',
};

export function createGatewayAdminApi(admin: () => GatewayAdmin | undefined): Pick<HostApi, GatewayAdminMethod> {
  /** The gateway's answer, or `whenOff` while no gateway is attached. */
  const forward = async <K extends GatewayAdminMethod, F>(
    method: K,
    params: unknown,
    whenOff: F,
  ): Promise<Awaited<ReturnType<GatewayAdmin[K]>> | F> => {
    const handlers = admin();
    if (!handlers) return whenOff;
    return (await handlers[method](params)) as Awaited<ReturnType<GatewayAdmin[K]>>;
  };
  return {
    'clients.create': (params) => forward('clients.create', params, gatewayOffResult),
    'clients.list': (params) => forward('clients.list', params, []),
    'clients.revoke': (params) => forward('clients.revoke', params, { ok: false }),
    'clients.stats': (params) =>
      forward('clients.stats', params, {
        clients: { connected: 0, accepted: 0, delivered: 0, refused: {} },
        webhooks: { accepted: 0, refused: {} },
      }),
    'webhooks.create': (params) => forward('webhooks.create', params, gatewayOffResult),
    'webhooks.list': (params) => forward('webhooks.list', params, []),
    'webhooks.delete': (params) => forward('webhooks.delete', params, { ok: false }),
    'overlay.writeFile': (params) => forward('overlay.writeFile', params, gatewayOffResult),
  };
}
