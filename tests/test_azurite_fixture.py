from azure.core.exceptions import ResourceExistsError
from azure.storage.blob.aio import BlobServiceClient


async def test_roundtrip(azurite):
    async with BlobServiceClient.from_connection_string(azurite.connection_string) as svc:
        c = svc.get_container_client("smoke")
        await c.create_container()
        b = c.get_blob_client("k")
        await b.upload_blob(b"v1", overwrite=False)
        try:
            await b.upload_blob(b"v2", overwrite=False)
            raise AssertionError("second create accepted")
        except ResourceExistsError:
            pass
        assert await (await b.download_blob()).readall() == b"v1"
