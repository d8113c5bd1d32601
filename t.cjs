const tf = require('@tensorflow/tfjs-node');
const a = tf.randomNormal([1000,1000]);
const T=(label,f,n=5)=>{f(); const t0=process.hrtime.bigint(); for(let i=0;i<n;i++) f(); console.log(label, (Number(process.hrtime.bigint()-t0)/n/1e6).toFixed(2),'ms');};
T('matmul', ()=>{const x=tf.matMul(a,a); x.dispose();});
T('matmul+dataSync', ()=>{const x=tf.matMul(a,a); x.dataSync(); x.dispose();});
T('matmul', ()=>{const x=tf.matMul(a,a); x.dispose();});
const b = tf.randomNormal([64,28,28,1]); const k=tf.randomNormal([5,5,1,10]);
T('conv', ()=>{const x=tf.conv2d(b,k,1,'valid'); x.dispose();},20);
T('conv+dataSync', ()=>{const x=tf.conv2d(b,k,1,'valid'); x.dataSync(); x.dispose();},20);
