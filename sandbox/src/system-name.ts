/** The three vendors the sandbox emulates, named as the gateway names its systems. */
export type SystemName = 'crm' | 'billing' | 'chat';
