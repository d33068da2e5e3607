//! Why an object operation failed, in S3's terms.

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("The specified bucket does not exist")]
    NoSuchBucket,
    #[error("The specified key does not exist.")]
    NoSuchKey,
    #[error("The specified version does not exist.")]
    NoSuchVersion,
    #[error("The specified method is not allowed against this resource.")]
    MethodNotAllowed,
    #[error("The bucket you tried to delete is not empty")]
    BucketNotEmpty,
    #[error("Your previous request to create the named bucket succeeded and you already own it.")]
    BucketAlreadyOwnedByYou,
    #[error("The requested bucket name is not available. The bucket namespace is shared by all users of the system.")]
    BucketAlreadyExists,
    #[error("The specified multipart upload does not exist.")]
    NoSuchUpload,
    #[error("One or more of the specified parts could not be found: {0}")]
    InvalidPart(String),
    #[error("The list of parts was not in ascending order.")]
    InvalidPartOrder,
    #[error("Your proposed upload is smaller than the minimum allowed object size.")]
    EntityTooSmall,
    #[error("{0}")]
    BadDigest(String),
    #[error("reading the request body: {0}")]
    Body(String),
    #[error("object store: {0}")]
    Remote(String),
    #[error("disk: {0}")]
    Io(#[from] std::io::Error),
    #[error("state store: {0}")]
    Store(#[from] landbridge_store::StoreError),
    #[error("record: {0}")]
    Json(#[from] serde_json::Error),
}
