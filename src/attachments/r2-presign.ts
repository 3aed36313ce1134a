/**
 * Optional production path: with R2's S3-compatible credentials configured, upload URLs are real
 * R2 presigned PUT URLs (SigV4 query signing through aws4fetch, the small signer made for
 * Workers), binding the content type and length. The rest of the flow is unchanged: the record is
 * still written only after the object is confirmed in the bucket through the R2 binding.
 */
import { AwsClient } from 'aws4fetch'

export interface S3Credentials {
  accountId: string
  accessKeyId: string
  secretAccessKey: string
  bucket: string
}

export async function presignR2Put(
  s3: S3Credentials,
  fileKey: string,
  upload: { contentType: string; size: number; expiresIn: number },
): Promise<string> {
  const client = new AwsClient({
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    service: 's3',
    region: 'auto',
  })
  const url = new URL(`https://${s3.accountId}.r2.cloudflarestorage.com/${s3.bucket}/${fileKey}`)
  url.searchParams.set('X-Amz-Expires', String(upload.expiresIn))
  const signed = await client.sign(
    new Request(url, {
      method: 'PUT',
      headers: { 'Content-Type': upload.contentType, 'Content-Length': String(upload.size) },
    }),
    { aws: { signQuery: true, allHeaders: true } },
  )
  return signed.url
}
