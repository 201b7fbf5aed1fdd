// A fresh self-signed TLS server certificate per simulator, so clients verify the hub the way they verify
// the real one (chain + host name) instead of switching verification off. ECDSA P-256 keeps generation fast.
import { generate } from 'selfsigned';

export interface ServerCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export async function createServerCertificate(hostName: string): Promise<ServerCertificate> {
  const notBeforeDate = new Date(Date.now() - 60 * 60 * 1000);
  const pems = await generate([{ name: 'commonName', value: hostName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 7 * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: hostName },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { certificatePem: pems.cert, privateKeyPem: pems.private };
}
